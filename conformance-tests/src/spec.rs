//! Loads `openapi/*.yaml` and enumerates its operations and cases, generically: nothing in this
//! module knows an operation by name.
//!
//! A case is a named response example (see `openapi/README.md`); its request is assembled later
//! (in `case`) from the same-named parameter and body examples.

use std::{fmt, path::Path};

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Map, Value};

/// The two APIs the suite knows how to replay.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Api {
    Mgr,
    Procurement,
}

impl Api {
    pub const ALL: [Api; 2] = [Api::Mgr, Api::Procurement];

    pub fn name(self) -> &'static str {
        match self {
            Api::Mgr => "mgr",
            Api::Procurement => "procurement",
        }
    }

    pub fn file_name(self) -> &'static str {
        match self {
            Api::Mgr => "mgr.yaml",
            Api::Procurement => "procurement.yaml",
        }
    }

    fn embedded(self) -> &'static str {
        match self {
            Api::Mgr => include_str!("../../openapi/mgr.yaml"),
            Api::Procurement => include_str!("../../openapi/procurement.yaml"),
        }
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a case authenticates (`x-auth` on the response example).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// No cookie, no `Authorization`.
    None,
    /// A token that is not a JWT.
    Malformed,
    /// A well-signed token past its expiry.
    Expired,
    /// A token superseded by a later login.
    Replaced,
    /// The default for secured operations.
    Valid,
    /// The operation is not secured (signin, login).
    Public,
}

impl Auth {
    fn parse(text: &str) -> Result<Auth> {
        Ok(match text {
            "none" => Auth::None,
            "malformed" => Auth::Malformed,
            "expired" => Auth::Expired,
            "replaced" => Auth::Replaced,
            "valid" => Auth::Valid,
            other => bail!("unknown x-auth value {other:?}"),
        })
    }
}

/// A named example: its value and the extensions the suite reads.
#[derive(Clone, Debug, Default)]
pub struct Example {
    pub value: Option<Value>,
    pub summary: Option<String>,
    pub description: Option<String>,
    /// The raw example object (after `$ref` resolution), for extensions such as `x-files`.
    pub raw: Map<String, Value>,
}

impl Example {
    fn from_value(value: &Value) -> Example {
        let raw = value.as_object().cloned().unwrap_or_default();
        Example {
            value: raw.get("value").cloned(),
            summary: raw
                .get("summary")
                .and_then(Value::as_str)
                .map(str::to_owned),
            description: raw
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned),
            raw,
        }
    }
}

/// Where a parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    Query,
    Path,
    Header,
    Cookie,
}

#[derive(Clone, Debug)]
pub struct Parameter {
    pub name: String,
    pub location: Location,
    pub examples: Map<String, Value>,
}

/// One media type of a request body, with its examples by name.
#[derive(Clone, Debug)]
pub struct BodyType {
    pub media_type: String,
    pub examples: Map<String, Value>,
}

/// A case: one named response example of one operation.
#[derive(Clone, Debug)]
pub struct CaseSpec {
    pub name: String,
    pub status: u16,
    pub media_type: String,
    pub example: Example,
    /// The response schema of that status and media type (with `$ref`s into `#/components`).
    pub schema: Option<Value>,
    /// Headers declared for that status (name, resolved header object).
    pub headers: Vec<(String, Value)>,
    pub auth: Auth,
    /// `x-role`, or the first of `x-roles`.
    pub role: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Operation {
    pub id: String,
    pub method: String,
    pub path: String,
    pub envelope: String,
    pub action: Option<String>,
    pub roles: Vec<String>,
    /// The operation's `tags` (what `--tag` selects by).
    pub tags: Vec<String>,
    pub secured: bool,
    pub parameters: Vec<Parameter>,
    pub body_types: Vec<BodyType>,
    pub cases: Vec<CaseSpec>,
}

impl Operation {
    pub fn case(&self, name: &str) -> Option<&CaseSpec> {
        self.cases.iter().find(|case| case.name == name)
    }
}

/// One loaded spec file.
#[derive(Clone, Debug)]
pub struct Spec {
    pub api: Api,
    pub document: Value,
    pub operations: Vec<Operation>,
    /// The SHA-256 of the YAML text, hex: which version of the contract a report was made
    /// against.
    pub sha256: String,
}

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

impl Spec {
    /// Loads the copy compiled into the binary.
    pub fn embedded(api: Api) -> Result<Spec> {
        Spec::parse(api, api.embedded())
    }

    /// Loads `dir/<api>.yaml`.
    pub fn from_dir(api: Api, dir: &Path) -> Result<Spec> {
        let path = dir.join(api.file_name());
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        Spec::parse(api, &text).with_context(|| format!("in {}", path.display()))
    }

    pub fn parse(api: Api, yaml: &str) -> Result<Spec> {
        let document: Value = yaml_serde::from_str(yaml).context("parsing the OpenAPI YAML")?;
        let operations = enumerate(&document)?;
        let digest = <sha2::Sha256 as sha2::Digest>::digest(yaml.as_bytes());
        Ok(Spec {
            api,
            document,
            operations,
            sha256: digest.iter().map(|byte| format!("{byte:02x}")).collect(),
        })
    }

    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|op| op.id == id)
    }

    /// `#/components` of the document (for schema validation).
    pub fn components(&self) -> Value {
        self.document
            .get("components")
            .cloned()
            .unwrap_or(Value::Null)
    }

    /// Every case id (`operation/example`) in document order.
    /// The tags of operation `id` (none for an unknown operation, e.g. `scenario`).
    pub fn tags_of(&self, id: &str) -> &[String] {
        self.operation(id).map_or(&[], |op| op.tags.as_slice())
    }

    pub fn case_ids(&self) -> Vec<String> {
        self.operations
            .iter()
            .flat_map(|op| {
                op.cases
                    .iter()
                    .map(move |c| format!("{}/{}", op.id, c.name))
            })
            .collect()
    }
}

/// Follows local `$ref`s until a non-reference object is reached.
pub fn resolve<'a>(document: &'a Value, mut value: &'a Value) -> Result<&'a Value> {
    for _ in 0..32 {
        let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
            return Ok(value);
        };
        let pointer = reference
            .strip_prefix('#')
            .ok_or_else(|| anyhow!("only local references are supported: {reference}"))?;
        value = document
            .pointer(pointer)
            .ok_or_else(|| anyhow!("dangling reference {reference}"))?;
    }
    bail!("reference chain too long")
}

fn resolved_map(document: &Value, value: Option<&Value>) -> Result<Map<String, Value>> {
    let mut out = Map::new();
    if let Some(Value::Object(map)) = value {
        for (name, item) in map {
            out.insert(name.clone(), resolve(document, item)?.clone());
        }
    }
    Ok(out)
}

fn enumerate(document: &Value) -> Result<Vec<Operation>> {
    let paths = document
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| anyhow!("the document has no paths"))?;
    let global_security = document
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|list| !list.is_empty());
    let mut operations = Vec::new();
    for (path, item) in paths {
        let item = resolve(document, item)?;
        let shared_parameters = item.get("parameters").and_then(Value::as_array);
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .ok_or_else(|| anyhow!("{method} {path} has no operationId"))?
                .to_owned();
            let parse = || -> Result<Operation> {
                let secured = match op.get("security").and_then(Value::as_array) {
                    Some(list) => !list.is_empty(),
                    None => global_security,
                };
                let roles: Vec<String> = op
                    .get("x-roles")
                    .and_then(Value::as_array)
                    .map(|list| {
                        list.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                let mut parameters = Vec::new();
                let op_parameters = op.get("parameters").and_then(Value::as_array);
                for parameter in shared_parameters
                    .into_iter()
                    .flatten()
                    .chain(op_parameters.into_iter().flatten())
                {
                    let parameter = resolve(document, parameter)?;
                    let location = match parameter.get("in").and_then(Value::as_str) {
                        Some("query") => Location::Query,
                        Some("path") => Location::Path,
                        Some("header") => Location::Header,
                        Some("cookie") => Location::Cookie,
                        other => bail!("parameter location {other:?}"),
                    };
                    parameters.push(Parameter {
                        name: parameter
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        location,
                        examples: resolved_map(document, parameter.get("examples"))?,
                    });
                }
                let mut body_types = Vec::new();
                if let Some(body) = op.get("requestBody") {
                    let body = resolve(document, body)?;
                    if let Some(Value::Object(content)) = body.get("content") {
                        for (media_type, media) in content {
                            body_types.push(BodyType {
                                media_type: media_type.clone(),
                                examples: resolved_map(document, media.get("examples"))?,
                            });
                        }
                    }
                }
                let mut cases = Vec::new();
                let responses = op
                    .get("responses")
                    .and_then(Value::as_object)
                    .ok_or_else(|| anyhow!("no responses"))?;
                for (status, response) in responses {
                    let status: u16 = status
                        .parse()
                        .with_context(|| format!("response key {status:?} is not a status"))?;
                    let response = resolve(document, response)?;
                    let mut headers = Vec::new();
                    if let Some(Value::Object(map)) = response.get("headers") {
                        for (name, header) in map {
                            headers.push((name.clone(), resolve(document, header)?.clone()));
                        }
                    }
                    let Some(Value::Object(content)) = response.get("content") else {
                        continue;
                    };
                    for (media_type, media) in content {
                        let schema = media.get("schema").cloned();
                        for (name, example) in resolved_map(document, media.get("examples"))? {
                            let example = Example::from_value(&example);
                            let auth = match example.raw.get("x-auth").and_then(Value::as_str) {
                                Some(text) => Auth::parse(text)?,
                                None if secured => Auth::Valid,
                                None => Auth::Public,
                            };
                            let role = example
                                .raw
                                .get("x-role")
                                .and_then(Value::as_str)
                                .map(str::to_owned)
                                .or_else(|| roles.first().cloned())
                                .filter(|role| role != "public");
                            if cases.iter().any(|c: &CaseSpec| c.name == name) {
                                bail!("case {name} appears twice");
                            }
                            cases.push(CaseSpec {
                                name,
                                status,
                                media_type: media_type.clone(),
                                example,
                                schema: schema.clone(),
                                headers: headers.clone(),
                                auth,
                                role,
                            });
                        }
                    }
                }
                Ok(Operation {
                    id: id.clone(),
                    method: method.to_uppercase(),
                    path: path.clone(),
                    envelope: op
                        .get("x-envelope")
                        .and_then(Value::as_str)
                        .unwrap_or("ret")
                        .to_owned(),
                    action: op
                        .get("x-action")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    roles,
                    tags: op
                        .get("tags")
                        .and_then(Value::as_array)
                        .map(|list| {
                            list.iter()
                                .filter_map(Value::as_str)
                                .map(str::to_owned)
                                .collect()
                        })
                        .unwrap_or_default(),
                    secured,
                    parameters,
                    body_types,
                    cases,
                })
            };
            operations.push(parse().with_context(|| format!("operation {id}"))?);
        }
    }
    Ok(operations)
}
