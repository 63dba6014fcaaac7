//! Assembles a case's HTTP request from the spec's examples, generically (a parameter is sent with
//! its example of the case's name, and not sent without one; the body is the first media type's
//! example of that name), and renders requests as runnable `curl` commands.

use anyhow::{Context, Result, anyhow};
use base64::Engine as _;
use serde_json::{Map, Value};

use crate::spec::{Location, Operation};

/// A request body before it is put on the wire.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    None,
    Json(Value),
    Form(Value),
    /// A multipart form: `fields` holds every part by name; a file part's value is its content,
    /// base64-encoded, and `files` gives its file name and content type (`x-files`).
    Multipart {
        fields: Value,
        files: Map<String, Value>,
    },
}

/// One HTTP request, with the values the replayer may still substitute.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub method: String,
    /// The path template, e.g. `/order/{id}`.
    pub path: String,
    pub path_params: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

/// A query or path value as text: strings as they are, everything else as JSON.
pub fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

impl Request {
    /// The request of case `name` of `op`, from the spec's examples alone.
    pub fn assemble(op: &Operation, name: &str) -> Result<Request> {
        let mut request = Request {
            method: op.method.clone(),
            path: op.path.clone(),
            path_params: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::None,
        };
        for parameter in &op.parameters {
            let Some(example) = parameter.examples.get(name) else {
                continue;
            };
            let value = example.get("value").ok_or_else(|| {
                anyhow!("parameter {} example {name} has no value", parameter.name)
            })?;
            let text = text_of(value);
            match parameter.location {
                Location::Query => request.query.push((parameter.name.clone(), text)),
                Location::Path => request.path_params.push((parameter.name.clone(), text)),
                Location::Header => request.headers.push((parameter.name.clone(), text)),
                Location::Cookie => request
                    .headers
                    .push(("Cookie".into(), format!("{}={text}", parameter.name))),
            }
        }
        for body_type in &op.body_types {
            let Some(example) = body_type.examples.get(name) else {
                continue;
            };
            let value = example.get("value").cloned().unwrap_or(Value::Null);
            request.body = match body_type.media_type.as_str() {
                "application/json" => Body::Json(value),
                "application/x-www-form-urlencoded" => Body::Form(value),
                "multipart/form-data" => Body::Multipart {
                    fields: value,
                    files: example
                        .get("x-files")
                        .and_then(Value::as_object)
                        .cloned()
                        .unwrap_or_default(),
                },
                other => anyhow::bail!("request media type {other} is not supported"),
            };
            break;
        }
        Ok(request)
    }

    /// The path with its parameters filled in.
    pub fn rendered_path(&self) -> String {
        let mut path = self.path.clone();
        for (name, value) in &self.path_params {
            path = path.replace(&format!("{{{name}}}"), value);
        }
        path
    }

    /// The full URL against `base_url`, query included.
    pub fn url(&self, base_url: &str) -> Result<reqwest::Url> {
        let joined = format!("{}{}", base_url.trim_end_matches('/'), self.rendered_path());
        let url = if self.query.is_empty() {
            reqwest::Url::parse(&joined)
        } else {
            reqwest::Url::parse_with_params(&joined, &self.query)
        };
        url.with_context(|| format!("building the URL {joined}"))
    }

    /// Sets (or adds) query parameter `name`.
    pub fn set_query(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        match self.query.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.query.push((name.to_owned(), value)),
        }
    }

    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn set_path_param(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        match self.path_params.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.path_params.push((name.to_owned(), value)),
        }
    }

    /// Replaces header `name` (case-insensitive), or adds it.
    pub fn set_header(&mut self, name: &str, value: impl Into<String>) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.into()));
    }

    /// The JSON, form or multipart field object, for substitutions.
    pub fn body_value_mut(&mut self) -> Option<&mut Value> {
        match &mut self.body {
            Body::None => None,
            Body::Json(value) | Body::Form(value) => Some(value),
            Body::Multipart { fields, .. } => Some(fields),
        }
    }

    pub fn body_value(&self) -> Option<&Value> {
        match &self.body {
            Body::None => None,
            Body::Json(value) | Body::Form(value) => Some(value),
            Body::Multipart { fields, .. } => Some(fields),
        }
    }

    /// Sets the body member at JSON pointer `pointer` (which must exist or have an object parent).
    pub fn set_body(&mut self, pointer: &str, value: Value) -> Result<()> {
        let body = self
            .body_value_mut()
            .ok_or_else(|| anyhow!("the request has no body to set {pointer} in"))?;
        set_pointer(body, pointer, value)
    }

    /// Builds the reqwest request.
    pub fn build(
        &self,
        client: &reqwest::Client,
        base_url: &str,
    ) -> Result<reqwest::RequestBuilder> {
        let method = reqwest::Method::from_bytes(self.method.as_bytes())?;
        let mut builder = client.request(method, self.url(base_url)?);
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        builder = match &self.body {
            Body::None => builder,
            Body::Json(value) => builder
                .header("Content-Type", "application/json")
                .body(serde_json::to_vec(value)?),
            Body::Form(value) => builder.form(&form_pairs(value)),
            Body::Multipart { fields, files } => {
                let mut form = reqwest::multipart::Form::new();
                for (name, value) in fields.as_object().into_iter().flatten() {
                    let text = text_of(value);
                    form = match files.get(name) {
                        Some(file) => {
                            let bytes = base64::engine::general_purpose::STANDARD
                                .decode(text.as_bytes())
                                .with_context(|| format!("file part {name} is not base64"))?;
                            let mut part = reqwest::multipart::Part::bytes(bytes);
                            if let Some(file_name) = file.get("fileName").and_then(Value::as_str) {
                                part = part.file_name(file_name.to_owned());
                            }
                            if let Some(mime) = file.get("contentType").and_then(Value::as_str) {
                                part = part.mime_str(mime)?;
                            }
                            form.part(name.clone(), part)
                        }
                        None => form.text(name.clone(), text),
                    };
                }
                builder.multipart(form)
            }
        };
        Ok(builder)
    }

    /// A `curl` command that sends the same request (file parts as `@file` with a note).
    pub fn curl(&self, base_url: &str) -> String {
        let url = self
            .url(base_url)
            .map(|url| url.to_string())
            .unwrap_or_else(|_| format!("{base_url}{}", self.rendered_path()));
        let mut words = vec!["curl -sS -i".to_owned()];
        if self.method != "GET" {
            words.push(format!("-X {}", self.method));
        }
        words.push(shell_quote(&url));
        for (name, value) in &self.headers {
            words.push(format!("-H {}", shell_quote(&format!("{name}: {value}"))));
        }
        match &self.body {
            Body::None => {}
            Body::Json(value) => {
                words.push("-H 'Content-Type: application/json'".to_owned());
                words.push(format!("--data-raw {}", shell_quote(&value.to_string())));
            }
            Body::Form(value) => {
                for (name, value) in form_pairs(value) {
                    words.push(format!(
                        "--data-urlencode {}",
                        shell_quote(&format!("{name}={value}"))
                    ));
                }
            }
            Body::Multipart { fields, files } => {
                for (name, value) in fields.as_object().into_iter().flatten() {
                    match files.get(name) {
                        Some(file) => {
                            let file_name = file
                                .get("fileName")
                                .and_then(Value::as_str)
                                .unwrap_or("file");
                            let mime = file
                                .get("contentType")
                                .and_then(Value::as_str)
                                .unwrap_or("application/octet-stream");
                            words.push(format!(
                                "-F {}",
                                shell_quote(&format!("{name}=@{file_name};type={mime}"))
                            ));
                        }
                        None => words.push(format!(
                            "-F {}",
                            shell_quote(&format!("{name}={}", text_of(value)))
                        )),
                    }
                }
            }
        }
        let mut command = words.join(" ");
        if let Body::Multipart { fields, files } = &self.body {
            for (name, file) in files {
                if let (Some(content), Some(file_name)) = (
                    fields.get(name).and_then(Value::as_str),
                    file.get("fileName").and_then(Value::as_str),
                ) {
                    command = format!(
                        "echo {} | base64 -d > {} && {command}",
                        shell_quote(content),
                        shell_quote(file_name)
                    );
                }
            }
        }
        command
    }
}

fn form_pairs(value: &Value) -> Vec<(String, String)> {
    value
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, value)| (name.clone(), text_of(value)))
        .collect()
}

/// Quotes `text` for a POSIX shell.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Sets `pointer` in `target`, creating the last member if its parent exists.
pub fn set_pointer(target: &mut Value, pointer: &str, value: Value) -> Result<()> {
    if pointer.is_empty() {
        *target = value;
        return Ok(());
    }
    let (parent, last) = pointer
        .rsplit_once('/')
        .ok_or_else(|| anyhow!("bad JSON pointer {pointer}"))?;
    let parent = target
        .pointer_mut(parent)
        .ok_or_else(|| anyhow!("no {parent} to set {pointer} in"))?;
    let last = last.replace("~1", "/").replace("~0", "~");
    match parent {
        Value::Object(map) => {
            map.insert(last, value);
        }
        Value::Array(items) => {
            let index: usize = last.parse()?;
            let slot = items
                .get_mut(index)
                .ok_or_else(|| anyhow!("no index {index} in {pointer}"))?;
            *slot = value;
        }
        _ => anyhow::bail!("{pointer}: the parent is not a container"),
    }
    Ok(())
}

/// Replaces every string in `target` that equals `from` exactly by `to`.
pub fn replace_strings(target: &mut Value, from: &str, to: &str) {
    match target {
        Value::String(text) if text == from => *text = to.to_owned(),
        Value::Array(items) => items.iter_mut().for_each(|v| replace_strings(v, from, to)),
        Value::Object(map) => map.values_mut().for_each(|v| replace_strings(v, from, to)),
        _ => {}
    }
}

/// Replaces `from` by `to` inside every string of `target`.
pub fn replace_within_strings(target: &mut Value, from: &str, to: &str) {
    match target {
        Value::String(text) if text.contains(from) => *text = text.replace(from, to),
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| replace_within_strings(v, from, to)),
        Value::Object(map) => map
            .values_mut()
            .for_each(|v| replace_within_strings(v, from, to)),
        _ => {}
    }
}
