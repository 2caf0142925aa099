import Foundation

/// The JSON Schema (draft-07) of scenario files, made from the key lists the loader checks, so
/// that an editor completes and checks exactly what the loader accepts.
public enum ScenarioSchema {
    /// The schema as pretty-printed JSON with sorted keys.
    public static func json() -> String {
        let data = try! JSONSerialization.data(withJSONObject: schema(), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static let topDescriptions: [String: String] = [
        "name": "The scenario column of the output (default: the file name).",
        "description": "Free text about the scenario.",
        "start": "The month the baseline describes, YYYY-MM.",
        "horizon": "The last simulated month, YYYY-MM (default 2030-12).",
        "periods": "Reporting periods.",
        "paths": "Monte Carlo paths (default 1000).",
        "seed": "Random seed (default 1).",
        "noise": "none: expected flows; binomial: integer stocks and drawn flows.",
        "quantiles": "Quantiles to report, in percent.",
        "levels": "Names of the levels of the unit tree, from the root.",
        "units": "The unit tree: a list of units with parents, or {file: units.csv}.",
        "roles": "Role-level parameters, by role name.",
        "baseline": "Filled posts and vacancies at the start per unit and role: rows, or {file: baseline.csv}.",
        "progression": "Annual progression rates, role -> {other role: rate}; each row sums to less than 1.",
        "programmes": "Training pipelines, by name.",
        "demand": "Growth of established posts and demand events.",
        "overrides": "Per-unit (or per-parent) changes, by unit name.",
        "extends": "A base scenario file this one changes (relative path).",
    ]

    static let roleDescriptions: [String: String] = [
        "turnover": "Leavers per year over average staff in post, in [0, 1).",
        "retained_in_sector": "Share of leavers who take another job in the same role and unit, [0, 1].",
        "time_to_fill": "Months; a vacancy is filled with probability 1 - exp(-1 / t) each month.",
        "international_share": "Share of external hires recruited from abroad, [0, 1].",
        "international_cap": "Most international hires per year per unit (default: no cap).",
        "pay": "Pay per FTE per year; gives pay_bill.",
        "mix": "Demand multiplier for shifts in role mix (piecewise-linear schedule, default 1).",
    ]

    static let programmeDescriptions: [String: String] = [
        "to": "The role trainees join on completion.",
        "from": "'external', or the role trainees are drawn from (upskilling).",
        "duration": "Months of training.",
        "completion": "Share of starters who complete, (0, 1].",
        "starts": "Starts per year per unit.",
        "intake_profile": "Twelve weights for January ... December, summing to 1.",
        "in_post_share": "How much of a trainee counts as staff in post while training, [0, 1].",
        "dropouts_return": "Whether upskilling dropouts go back to the from role.",
    ]

    static func schema() -> [String: Any] {
        let month: [String: Any] = ["type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"]
        let number: [String: Any] = ["type": "number"]
        let fileRef: [String: Any] = ["type": "object", "properties": ["file": ["type": "string"]],
                                      "required": ["file"], "additionalProperties": false]
        let distribution: [String: Any] = [
            "type": "object", "required": ["dist"], "additionalProperties": false,
            "properties": [
                "dist": ["enum": ["normal", "lognormal", "beta", "triangular", "uniform"]],
                "mean": number, "sd": number, "mode": number, "min": number, "max": number,
                "scope": ["enum": ["path", "unit", "year"]],
            ],
        ]
        let value: [String: Any] = ["anyOf": [number, ["$ref": "#/definitions/distribution"]]]
        let schedule: [String: Any] = [
            "type": "object", "required": ["schedule"], "additionalProperties": false,
            "properties": [
                "schedule": ["type": "array", "minItems": 1, "items": ["anyOf": [
                    ["type": "array", "items": [month, value], "minItems": 2, "maxItems": 2],
                    ["type": "object", "properties": ["from": month, "value": value], "required": ["from", "value"], "additionalProperties": false],
                ]]],
                "interpolate": ["enum": ["step", "linear"]],
            ],
        ]
        let yearTable: [String: Any] = [
            "type": "object", "minProperties": 1, "additionalProperties": false,
            "patternProperties": ["^[0-9]{4}(/[0-9]{2})?$": value],
        ]
        let quantity: [String: Any] = ["anyOf": [number, ["$ref": "#/definitions/distribution"],
                                                 ["$ref": "#/definitions/schedule"], ["$ref": "#/definitions/yearTable"]]]
        let q: [String: Any] = ["$ref": "#/definitions/quantity"]
        func described(_ base: [String: Any], _ text: String?) -> [String: Any] {
            var d = base
            if let text { d["description"] = text }
            return d
        }
        let role: [String: Any] = [
            "type": ["object", "null"], "additionalProperties": false,
            "properties": Dictionary(uniqueKeysWithValues: ModelBuilder.roleKeys.map { ($0, described(q, roleDescriptions[$0])) }),
        ]
        var programmeProperties: [String: Any] = [:]
        for key in ModelBuilder.programmeKeys {
            let base: [String: Any]
            switch key {
            case "to", "from": base = ["type": "string"]
            case "duration": base = ["type": "integer", "minimum": 1, "maximum": 600]
            case "intake_profile": base = ["type": "array", "items": number, "minItems": 12, "maxItems": 12]
            case "in_post_share": base = ["type": "number", "minimum": 0, "maximum": 1]
            case "dropouts_return": base = ["type": "boolean"]
            default: base = q
            }
            programmeProperties[key] = described(base, programmeDescriptions[key])
        }
        // No `required` inside programmes or the population driver: a what-if that `extends` a
        // base gives only what it changes. The loader checks the merged scenario.
        let programme: [String: Any] = ["type": "object", "additionalProperties": false, "properties": programmeProperties]
        let growth: [String: Any] = ["anyOf": [q, fileRef, [
            "type": "object", "additionalProperties": false, "minProperties": 1,
            "properties": ["population": fileRef, "elasticity": q],
        ]]]
        let progression: [String: Any] = ["type": ["object", "null"], "additionalProperties": ["type": "object", "additionalProperties": q]]
        let baselineRow: [String: Any] = [
            "type": "object", "required": ["unit", "role", "filled", "vacancies"], "additionalProperties": false,
            "properties": Dictionary(uniqueKeysWithValues: (["unit", "role"].map { ($0, ["type": "string"] as [String: Any]) })
                + (["filled", "vacancies"] + ModelBuilder.roleKeys.filter { $0 != "mix" }).map { ($0, number) }),
        ]
        let unit: [String: Any] = ["anyOf": [["type": "string"], [
            "type": "object", "required": ["name"], "additionalProperties": false,
            "properties": ["name": ["type": "string"], "parent": ["type": ["string", "null"]]],
        ]]]
        let event: [String: Any] = [
            "type": "object", "required": ["from"], "additionalProperties": false,
            "properties": ["from": month, "unit": ["type": "string"], "role": ["type": "string"], "add": value, "multiply": value],
        ]
        let override: [String: Any] = [
            "type": "object", "additionalProperties": false,
            "properties": [
                "roles": ["type": "object", "additionalProperties": ["$ref": "#/definitions/role"]],
                "growth": growth,
                "programmes": ["type": "object", "additionalProperties": [
                    "type": "object", "additionalProperties": false, "properties": ["starts": q, "completion": q],
                ]],
                "progression": progression,
            ],
        ]
        var top: [String: Any] = [:]
        for key in ModelBuilder.topKeys {
            let base: [String: Any]
            switch key {
            case "name", "description", "extends": base = ["type": "string"]
            case "start", "horizon": base = month
            case "periods": base = ["enum": ["financial", "calendar", "monthly"]]
            case "paths": base = ["type": "integer", "minimum": 1, "maximum": 10_000_000]
            case "seed": base = ["type": "integer", "minimum": 0]
            case "noise": base = ["enum": ["none", "binomial"]]
            case "quantiles": base = ["type": "array", "items": ["type": "number", "minimum": 0, "maximum": 100]]
            case "levels": base = ["type": "array", "items": ["type": "string"]]
            case "units": base = ["anyOf": [["type": "array", "items": unit], fileRef]]
            case "roles": base = ["type": "object", "additionalProperties": ["$ref": "#/definitions/role"]]
            case "baseline": base = ["anyOf": [["type": "array", "items": baselineRow], fileRef]]
            case "progression": base = progression
            case "programmes": base = ["type": ["object", "null"], "additionalProperties": programme]
            case "demand": base = ["type": "object", "additionalProperties": false,
                                   "properties": ["growth": growth, "events": ["type": ["array", "null"], "items": event]]]
            case "overrides": base = ["type": ["object", "null"], "additionalProperties": override]
            default: base = [:]
            }
            top[key] = described(base, topDescriptions[key])
        }
        return [
            "$schema": "http://json-schema.org/draft-07/schema#",
            "$id": "workforce-scenario/1",
            "title": "workforce scenario",
            "type": "object",
            "additionalProperties": false,
            "properties": top,
            "definitions": ["distribution": distribution, "schedule": schedule, "yearTable": yearTable,
                            "quantity": quantity, "role": role],
        ]
    }
}
