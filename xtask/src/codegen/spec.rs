//! The parts of a spec the generator reads: operations, parameters, bodies, responses, cases,
//! and a classification of JSON Schemas into the shapes the SDK knows.

use serde_json::{Map, Value};

/// How many `$ref` hops are followed before giving up.
const MAX_REF_HOPS: usize = 16;

/// The HTTP methods, in the order operations of one path are generated.
const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

/// Which of the two APIs (and so which envelope and session) a spec describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// `{"ret": N, "msg"}`, session cookie.
    Mgr,
    /// `{success, code, msg, data}`, bearer token.
    Procurement,
}

/// A spec document with `$ref` resolution.
pub struct Spec {
    pub doc: Value,
    pub flavor: Flavor,
}

impl Spec {
    pub fn new(doc: Value) -> anyhow::Result<Self> {
        let envelope = doc
            .get("paths")
            .and_then(Value::as_object)
            .and_then(|paths| paths.values().next())
            .and_then(|item| METHODS.iter().find_map(|m| item.get(*m)))
            .and_then(|op| op.get("x-envelope"))
            .and_then(Value::as_str);
        let flavor = match envelope {
            Some("ret") => Flavor::Mgr,
            Some("code") => Flavor::Procurement,
            other => anyhow::bail!("unknown x-envelope {other:?}"),
        };
        Ok(Self { doc, flavor })
    }

    /// Follows `$ref`s (internal `#/...` only) to a value that is not a reference.
    pub fn resolve<'d>(&'d self, mut value: &'d Value) -> &'d Value {
        for _ in 0..MAX_REF_HOPS {
            match ref_name(value) {
                Some(reference) => match self.doc.pointer(&ref_pointer(reference)) {
                    Some(target) => value = target,
                    None => return value,
                },
                None => return value,
            }
        }
        value
    }

    /// The component schema called `name`.
    pub fn component(&self, name: &str) -> Option<&Value> {
        self.doc.pointer(&format!("/components/schemas/{name}"))
    }

    /// Component schema names, in spec order.
    pub fn component_names(&self) -> Vec<String> {
        self.doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .map(|schemas| schemas.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Every operation, in spec order (paths, then methods in [`METHODS`] order).
    pub fn operations(&self) -> Vec<Operation<'_>> {
        let mut found = Vec::new();
        let Some(paths) = self.doc.get("paths").and_then(Value::as_object) else {
            return found;
        };
        for (path, item) in paths {
            let item = self.resolve(item);
            for method in METHODS {
                if let Some(op) = item.get(method) {
                    found.push(self.operation(path, method, item, op));
                }
            }
        }
        found
    }

    fn operation<'d>(
        &'d self,
        path: &str,
        method: &str,
        item: &'d Value,
        op: &'d Value,
    ) -> Operation<'d> {
        let mut params = Vec::new();
        let shared = item.get("parameters").and_then(Value::as_array);
        let own = op.get("parameters").and_then(Value::as_array);
        for param in shared.into_iter().chain(own).flatten() {
            let param = self.resolve(param);
            params.push(Parameter {
                name: str_of(param, "name").to_owned(),
                location: str_of(param, "in").to_owned(),
                required: param.get("required").and_then(Value::as_bool) == Some(true),
                description: str_of(param, "description").to_owned(),
                schema: param.get("schema").unwrap_or(&Value::Null),
                examples: param.get("examples").and_then(Value::as_object),
                value: param,
            });
        }
        let body = op
            .get("requestBody")
            .map(|body| self.resolve(body))
            .map(|body| {
                let content = body.get("content").and_then(Value::as_object);
                let media: Vec<(String, &Value)> = content
                    .into_iter()
                    .flatten()
                    .map(|(media, content)| (media.clone(), content))
                    .collect();
                RequestBody {
                    required: body.get("required").and_then(Value::as_bool) == Some(true),
                    media,
                }
            });
        let mut responses = Vec::new();
        if let Some(map) = op.get("responses").and_then(Value::as_object) {
            for (status, response) in map {
                let response = self.resolve(response);
                let status: u16 = status.parse().unwrap_or(0);
                let headers = response.get("headers").and_then(Value::as_object);
                for (media, content) in response
                    .get("content")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    let examples = content
                        .get("examples")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flatten()
                        .map(|(name, example)| (name.clone(), self.resolve(example)))
                        .collect();
                    responses.push(Response {
                        status,
                        media: media.clone(),
                        schema: content.get("schema").unwrap_or(&Value::Null),
                        examples,
                        headers,
                    });
                }
            }
        }
        Operation {
            id: str_of(op, "operationId").to_owned(),
            method: method.to_owned(),
            path: path.to_owned(),
            value: op,
            params,
            body,
            responses,
        }
    }

    /// Classifies `schema` (resolving nothing: a `$ref` is [`Shape::Ref`]).
    pub fn shape(&self, schema: &Value) -> Shape {
        if let Some(reference) = ref_name(schema) {
            return Shape::Ref(reference.rsplit('/').next().unwrap_or(reference).to_owned());
        }
        if let Some(value) = schema.get("const") {
            return Shape::Const(value.clone());
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return match values.as_slice() {
                [only] => Shape::Const(only.clone()),
                _ => Shape::Enum(values.clone()),
            };
        }
        for keyword in ["oneOf", "anyOf"] {
            if let Some(branches) = schema.get(keyword).and_then(Value::as_array) {
                let non_null: Vec<&Value> = branches
                    .iter()
                    .filter(|branch| branch.get("type").and_then(Value::as_str) != Some("null"))
                    .collect();
                if let [only] = non_null.as_slice()
                    && branches.len() == 2
                {
                    return Shape::Nullable(Box::new(self.shape(only)));
                }
                return Shape::Any;
            }
        }
        match schema.get("type") {
            Some(Value::Array(types)) => {
                let non_null: Vec<&Value> = types.iter().filter(|t| *t != "null").collect();
                match non_null.as_slice() {
                    [] => Shape::Const(Value::Null),
                    [only] => {
                        let mut single = schema.clone();
                        single["type"] = (*only).clone();
                        let inner = self.shape(&single);
                        if types.len() > 1 {
                            Shape::Nullable(Box::new(inner))
                        } else {
                            inner
                        }
                    }
                    _ => Shape::Any,
                }
            }
            Some(Value::String(kind)) => match kind.as_str() {
                "null" => Shape::Const(Value::Null),
                "string" if schema.get("contentMediaType").is_some() => Shape::Binary,
                "string" if schema.get("format").and_then(Value::as_str) == Some("binary") => {
                    Shape::Binary
                }
                "string" => Shape::String,
                "integer" => Shape::Integer {
                    int32: schema.get("format").and_then(Value::as_str) == Some("int32"),
                },
                "number" => Shape::Number,
                "boolean" => Shape::Boolean,
                "array" => Shape::Array(Box::new(
                    schema
                        .get("items")
                        .map_or(Shape::Any, |items| self.shape(items)),
                )),
                "object" => Shape::Object,
                _ => Shape::Any,
            },
            _ if schema.get("properties").is_some() => Shape::Object,
            _ => Shape::Any,
        }
    }

    /// The shape of a schema with one level of `$ref` followed.
    pub fn resolved_shape(&self, schema: &Value) -> Shape {
        self.shape(self.resolve(schema))
    }
}

/// What a JSON Schema means for the SDK.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A component schema, by name.
    Ref(String),
    /// A fixed value (`const`, a one-value `enum`, `type: null`): filled in by the SDK.
    Const(Value),
    /// `type: [T, "null"]` or `oneOf: [T, {type: null}]`.
    Nullable(Box<Shape>),
    String,
    /// File content (`contentMediaType` / `format: binary`), a multipart file part.
    Binary,
    Integer {
        int32: bool,
    },
    Number,
    Boolean,
    Array(Box<Shape>),
    /// An enum of two or more values.
    Enum(Vec<Value>),
    Object,
    Any,
}

/// One operation.
pub struct Operation<'d> {
    pub id: String,
    pub method: String,
    pub path: String,
    pub value: &'d Value,
    pub params: Vec<Parameter<'d>>,
    pub body: Option<RequestBody<'d>>,
    /// One entry per status and media type, in spec order.
    pub responses: Vec<Response<'d>>,
}

impl Operation<'_> {
    pub fn summary(&self) -> &str {
        str_of(self.value, "summary")
    }

    pub fn description(&self) -> &str {
        str_of(self.value, "description")
    }

    /// Whether the operation needs no credentials (`security: []`).
    pub fn is_public(&self) -> bool {
        self.value
            .get("security")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty)
    }

    /// Every documented HTTP status, sorted and deduplicated.
    pub fn statuses(&self) -> Vec<u16> {
        let mut statuses: Vec<u16> = self.responses.iter().map(|r| r.status).collect();
        statuses.sort_unstable();
        statuses.dedup();
        statuses
    }

    /// Whether a success answer is a file rather than JSON.
    pub fn is_download(&self) -> bool {
        self.responses.iter().any(|r| !is_json(&r.media))
    }
}

pub struct Parameter<'d> {
    pub name: String,
    /// `query` or `path` (the specs use no header or cookie parameters).
    pub location: String,
    pub required: bool,
    pub description: String,
    pub schema: &'d Value,
    pub examples: Option<&'d Map<String, Value>>,
    /// The whole parameter object, for vendor extensions (`x-caller`).
    pub value: &'d Value,
}

pub struct RequestBody<'d> {
    pub required: bool,
    /// Media types in spec order; the SDK sends the first.
    pub media: Vec<(String, &'d Value)>,
}

impl RequestBody<'_> {
    pub fn media_type(&self) -> &str {
        self.media.first().map_or("", |(media, _)| media)
    }

    pub fn schema(&self) -> &Value {
        self.media
            .first()
            .and_then(|(_, content)| content.get("schema"))
            .unwrap_or(&Value::Null)
    }
}

pub struct Response<'d> {
    pub status: u16,
    pub media: String,
    pub schema: &'d Value,
    /// Named examples (the cases), resolved.
    pub examples: Vec<(String, &'d Value)>,
    pub headers: Option<&'d Map<String, Value>>,
}

/// `value[key]` as a string, or "".
pub fn str_of<'v>(value: &'v Value, key: &str) -> &'v str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

fn ref_name(value: &Value) -> Option<&str> {
    value.get("$ref").and_then(Value::as_str)
}

/// The JSON pointer of an internal reference (`#/a/b` → `/a/b`).
fn ref_pointer(reference: &str) -> String {
    reference
        .trim_start_matches('#')
        .replace("%7B", "{")
        .replace("%7D", "}")
}

pub fn is_json(media: &str) -> bool {
    media == "application/json" || media.ends_with("+json")
}
