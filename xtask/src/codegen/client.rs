//! One method per operation, plus `*_stream` helpers for paged operations.
//!
//! [`plan`] decides how an operation looks in Rust (arguments, body, return type, paging); both
//! the client methods and the generated wiremock tests are written from the same plan.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::naming::{doc_attrs, docs, ident, pascal_case, snake_case};
use super::spec::{Flavor, Operation, Shape, Spec};
use super::types::{Types, properties};

/// Operations with at least this many optional query parameters take a params struct.
const PARAMS_STRUCT_THRESHOLD: usize = 3;

/// How an argument is passed.
#[derive(Clone)]
pub enum ArgKind {
    /// `&str` (owned `String` in a params struct).
    Str,
    /// An integer (`i64` or `i32`).
    Int(TokenStream),
    /// A value passed by value: an enum, `bool`, `f64`, an integer id newtype.
    Copy(TokenStream),
    /// A string id newtype (`OrderId`), passed by reference.
    Id(TokenStream),
}

#[derive(Clone)]
pub struct Arg {
    pub wire: String,
    pub name: String,
    pub required: bool,
    pub kind: ArgKind,
    pub description: String,
    pub in_path: bool,
    /// `x-caller: true`: the caller's own user id, which the SDK reads from its token.
    pub caller: bool,
}

pub struct BodyPlan {
    pub media: String,
    pub type_tokens: TokenStream,
    pub required: bool,
    /// Top-level `const` members the SDK adds (mgr's `action`).
    pub consts: Vec<(String, Value)>,
    /// Multipart fields: (wire name, is a file).
    pub multipart: Vec<(String, bool)>,
    /// Members marked `x-caller`, filled in from the token when unset.
    pub caller_members: Vec<String>,
    pub schema: Value,
}

pub enum Return {
    Unit,
    Json(TokenStream),
    Download,
}

pub struct Paging {
    /// The page-number argument (`pagenum`, `page`).
    pub page_arg: String,
    /// The array member holding the items (`retlist`, `content`).
    pub items_field: String,
    pub item_type: TokenStream,
}

pub struct Plan {
    pub id: String,
    pub method: String,
    pub path: String,
    pub path_args: Vec<Arg>,
    pub query_args: Vec<Arg>,
    /// Required `const` query parameters, sent by the SDK.
    pub query_consts: Vec<(String, Value)>,
    pub params_struct: Option<String>,
    pub body: Option<BodyPlan>,
    pub ret: Return,
    /// The schema the decoded success value serializes back to (mgr: the success component;
    /// procurement: `data`).
    pub success_schema: Option<Value>,
    pub statuses: Vec<u16>,
    pub paging: Option<Paging>,
    /// Whether the operation needs no credentials.
    pub public: bool,
    /// The query argument the SDK fills in from the token (`x-caller`), if any.
    pub caller_arg: Option<Arg>,
    /// The `Error` each documented refusal becomes, for the method's docs.
    pub errors: Vec<String>,
}

pub fn plan(spec: &Spec, types: &mut Types<'_>, op: &Operation<'_>) -> Plan {
    let mut path_args = Vec::new();
    let mut query_args = Vec::new();
    let mut query_consts = Vec::new();
    for param in &op.params {
        let shape = spec.shape(param.schema);
        if let Shape::Const(value) = shape {
            if param.required {
                query_consts.push((param.name.clone(), value));
            }
            continue;
        }
        let arg = Arg {
            wire: param.name.clone(),
            name: snake_case(&param.name),
            required: param.required || param.location == "path",
            kind: arg_kind(spec, types, param.schema, &param.name),
            description: param.description.clone(),
            in_path: param.location == "path",
            caller: param.value.get("x-caller").and_then(Value::as_bool) == Some(true),
        };
        if arg.in_path {
            path_args.push(arg);
        } else {
            query_args.push(arg);
        }
    }
    // An optional query parameter that an optional body may carry instead (recall_order's
    // `id`): the SDK sends the parameter, required, and no body, so that a request carrying
    // neither (which can only be refused) does not compile.
    let mut body_op = op.body.as_ref();
    if let Some(body) = body_op {
        let members = properties(spec.resolve(body.schema()));
        if !body.required
            && let [(only, _)] = members.as_slice()
            && let Some(arg) = query_args
                .iter_mut()
                .find(|a| &a.wire == only && !a.required)
        {
            arg.required = true;
            body_op = None;
        }
    }
    let caller_arg = query_args
        .iter()
        .position(|a| a.caller)
        .map(|at| query_args[at].clone());
    let optional = query_args.iter().filter(|a| !a.required).count();
    let params_struct =
        (optional >= PARAMS_STRUCT_THRESHOLD).then(|| format!("{}Params", pascal_case(&op.id)));

    let body = body_op.map(|body| {
        let schema = body.schema().clone();
        let media = body.media_type().to_owned();
        let type_tokens = types.rust_type(&schema, &format!("{}Body", pascal_case(&op.id)));
        let multipart = if media == "multipart/form-data" {
            properties(spec.resolve(&schema))
                .into_iter()
                .map(|(name, property)| {
                    let is_file = spec.resolved_shape(&property) == Shape::Binary;
                    (name, is_file)
                })
                .collect()
        } else {
            Vec::new()
        };
        let caller_members = properties(spec.resolve(&schema))
            .into_iter()
            .filter(|(_, property)| property.get("x-caller").and_then(Value::as_bool) == Some(true))
            .map(|(name, _)| name)
            .collect();
        BodyPlan {
            caller_members,
            consts: types.consts(&schema),
            media,
            type_tokens,
            required: body.required,
            multipart,
            schema,
        }
    });

    let (ret, success_schema) = if op.is_download() {
        (Return::Download, None)
    } else {
        match success_schema(spec, op) {
            None => (Return::Unit, None),
            Some(schema) => {
                let unit = match spec.flavor {
                    Flavor::Mgr => types.is_unit_object(&schema),
                    Flavor::Procurement => {
                        matches!(spec.shape(&schema), Shape::Const(Value::Null))
                    }
                };
                if unit {
                    (Return::Unit, None)
                } else {
                    let hint = format!("{}Data", pascal_case(&op.id));
                    (Return::Json(types.rust_type(&schema, &hint)), Some(schema))
                }
            }
        }
    };
    let paging = success_schema
        .as_ref()
        .and_then(|schema| paging(spec, types, schema, &query_args));
    Plan {
        id: op.id.clone(),
        method: op.method.to_uppercase(),
        path: op.path.clone(),
        path_args,
        query_args,
        query_consts,
        params_struct,
        body,
        ret,
        success_schema,
        statuses: op.statuses(),
        paging,
        public: op.is_public(),
        caller_arg,
        errors: error_docs(spec, op),
    }
}

/// One line per documented refusal: the case, its message and the `Error` it becomes.
fn error_docs(spec: &Spec, op: &Operation<'_>) -> Vec<String> {
    let mut lines = Vec::new();
    for response in &op.responses {
        if !super::spec::is_json(&response.media) {
            continue;
        }
        for (case, example) in &response.examples {
            let value = example.get("value").unwrap_or(&Value::Null);
            let msg = value.get("msg").and_then(Value::as_str).unwrap_or_default();
            let line = match spec.flavor {
                Flavor::Mgr if response.status == 302 => {
                    format!(
                        "`{case}`: HTTP 302 → [`Error::NotLoggedIn`](crate::Error::NotLoggedIn)"
                    )
                }
                Flavor::Mgr => match value.get("ret").and_then(Value::as_i64) {
                    Some(0) | None => continue,
                    Some(ret) => format!(
                        "`{case}` ({msg}): [`Error::Mgr`](crate::Error::Mgr) with `ret` {ret}"
                    ),
                },
                Flavor::Procurement => {
                    if value.get("success") != Some(&Value::Bool(false)) {
                        continue;
                    }
                    let code = value
                        .get("code")
                        .and_then(Value::as_i64)
                        .unwrap_or_default();
                    format!(
                        "`{case}` ({msg}, HTTP {}): [`Error::Procurement`](crate::Error::Procurement) with code [`Code::{name}`] ({code})",
                        response.status,
                        name = code_name(code),
                    )
                }
            };
            lines.push(line);
        }
    }
    lines
}

/// The success schema: mgr's branch with `ret: 0`, or the `data` of procurement's branch with
/// `success: true`.
fn success_schema(spec: &Spec, op: &Operation<'_>) -> Option<Value> {
    for response in &op.responses {
        let schema = response.schema;
        let branches: Vec<&Value> = match spec.resolve(schema).get("oneOf") {
            Some(Value::Array(branches)) => branches.iter().collect(),
            _ => vec![schema],
        };
        for branch in branches {
            let resolved = spec.resolve(branch);
            let member = |name: &str| resolved.get("properties").and_then(|p| p.get(name));
            match spec.flavor {
                Flavor::Mgr => {
                    if member("ret").and_then(|r| r.get("const")) == Some(&Value::from(0)) {
                        return Some(branch.clone());
                    }
                }
                Flavor::Procurement => {
                    if member("success").and_then(|r| r.get("const")) == Some(&Value::Bool(true)) {
                        return member("data").cloned();
                    }
                }
            }
        }
    }
    None
}

/// Pages: mgr `{retlist, total}` with a `pagenum` argument, procurement
/// `{content, totalPages}` with a `page` argument.
fn paging(spec: &Spec, types: &mut Types<'_>, schema: &Value, args: &[Arg]) -> Option<Paging> {
    let resolved = spec.resolve(schema);
    let props = resolved.get("properties")?;
    let (items_field, page_arg) = match spec.flavor {
        Flavor::Mgr if props.get("total").is_some() => ("retlist", "pagenum"),
        Flavor::Procurement if props.get("totalPages").is_some() => ("content", "page"),
        _ => return None,
    };
    let items = props.get(items_field)?.get("items")?;
    args.iter().find(|a| a.wire == page_arg)?;
    if spec.flavor == Flavor::Mgr && !args.iter().any(|a| a.wire == "pagesize") {
        return None;
    }
    Some(Paging {
        page_arg: page_arg.to_owned(),
        items_field: items_field.to_owned(),
        item_type: types.rust_type(items, "Item"),
    })
}

fn arg_kind(spec: &Spec, types: &mut Types<'_>, schema: &Value, name: &str) -> ArgKind {
    if let Some(id) = types.id_newtype(schema) {
        let ty = types.rust_type(schema, &id);
        return match spec.resolved_shape(schema) {
            Shape::String => ArgKind::Id(ty),
            _ => ArgKind::Copy(ty),
        };
    }
    match spec.resolved_shape(schema) {
        Shape::String => ArgKind::Str,
        Shape::Integer { int32: true } => ArgKind::Int(quote!(i32)),
        Shape::Integer { int32: false } => ArgKind::Int(quote!(i64)),
        _ => ArgKind::Copy(types.rust_type(schema, &pascal_case(name))),
    }
}

impl Arg {
    /// The argument's type in a method signature.
    fn arg_type(&self, lifetime: Option<&TokenStream>) -> TokenStream {
        let base = match &self.kind {
            ArgKind::Str => quote!(&#lifetime str),
            ArgKind::Id(ty) => quote!(&#lifetime #ty),
            ArgKind::Int(ty) | ArgKind::Copy(ty) => ty.clone(),
        };
        if self.required {
            base
        } else {
            quote!(Option<#base>)
        }
    }

    /// The field's type in a params struct.
    fn field_type(&self) -> TokenStream {
        let base = match &self.kind {
            ArgKind::Str => quote!(String),
            ArgKind::Int(ty) | ArgKind::Copy(ty) | ArgKind::Id(ty) => ty.clone(),
        };
        if self.required {
            base
        } else {
            quote!(Option<#base>)
        }
    }
}

/// The params struct of an operation with many optional query parameters: `#[non_exhaustive]`,
/// built from `Default` (or `new` with the required ones) and `with_<param>` setters, so that a
/// parameter the spec adds breaks no caller.
pub fn params_struct(plan: &Plan) -> TokenStream {
    let Some(name) = &plan.params_struct else {
        return TokenStream::new();
    };
    let type_name = ident(name);
    let doc = format!(" Query parameters of `{}`.", plan.id);
    let args: Vec<&Arg> = plan.query_args.iter().filter(|arg| !arg.caller).collect();
    let fields = args.iter().map(|arg| {
        let field = ident(&arg.name);
        let ty = arg.field_type();
        let doc = docs(&field_description(arg));
        let wire = &arg.wire;
        let rename = (arg.name != arg.wire).then(|| quote!(#[serde(rename = #wire)]));
        let skip = (!arg.required)
            .then(|| quote!(#[serde(default, skip_serializing_if = "Option::is_none")]));
        quote!(#doc #rename #skip pub #field: #ty,)
    });
    let all_optional = args.iter().all(|a| !a.required);
    let default = all_optional.then(|| quote!(Default,));
    let mut params = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    for arg in &args {
        let field = ident(&arg.name);
        let base = match &arg.kind {
            ArgKind::Str => quote!(String),
            ArgKind::Int(ty) | ArgKind::Copy(ty) | ArgKind::Id(ty) => ty.clone(),
        };
        let into = matches!(arg.kind, ArgKind::Str | ArgKind::Id(_));
        let (param, value) = if into {
            (quote!(#field: impl Into<#base>), quote!(#field.into()))
        } else {
            (quote!(#field: #base), quote!(#field))
        };
        if arg.required {
            params.push(param);
            inits.push(quote!(#field: #value));
        } else {
            inits.push(quote!(#field: None));
            let setter = format_ident!("with_{}", arg.name);
            let doc = format!(" Sets [`{}`](Self::{}).", arg.name, arg.name);
            setters.push(quote! {
                #[doc = #doc]
                #[must_use]
                pub fn #setter(mut self, #param) -> Self {
                    self.#field = Some(#value);
                    self
                }
            });
        }
    }
    let new_doc = format!(" `{name}` with the required parameters; the optional ones are unset.");
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq, #default serde::Serialize, serde::Deserialize)]
        #[non_exhaustive]
        pub struct #type_name { #(#fields)* }

        impl #type_name {
            #[doc = #new_doc]
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits),* }
            }

            #(#setters)*
        }
    }
}

fn field_description(arg: &Arg) -> String {
    if arg.description.is_empty() {
        format!("The `{}` parameter.", arg.wire)
    } else {
        arg.description.clone()
    }
}

/// The methods of one operation: `<op>` returns the value, `<op>_with_response` also the
/// response's metadata; with an `x-caller` argument, `<op>_for` and `<op>_for_with_response`
/// take it explicitly; with paging, `<op>_stream`.
pub fn method(spec: &Spec, op: &Operation<'_>, plan: &Plan) -> TokenStream {
    let mut doc_text = String::new();
    if !op.summary().is_empty() {
        doc_text.push_str(op.summary());
        doc_text.push_str("\n\n");
    }
    doc_text.push_str(&format!("`{} {}`", plan.method, plan.path));
    if !op.description().is_empty() {
        doc_text.push_str("\n\n");
        doc_text.push_str(op.description());
    }
    // Written here, not taken from the spec: intra-doc links stay unescaped.
    let mut own_lines = Vec::new();
    if let Some(caller) = &plan.caller_arg {
        own_lines.push(String::new());
        own_lines.push(format!(
            "The SDK sends the caller's own user id, read from the token, as `{}` ([`Error::NoToken`](crate::Error::NoToken) without one); [`{}_for`](Self::{}_for) sends another.",
            caller.wire, plan.id, plan.id
        ));
    }
    own_lines.extend([String::new(), "# Errors".to_owned(), String::new()]);
    own_lines.push(
        "Transport failures are [`Error::Transport`](crate::Error::Transport), an undocumented HTTP status is [`Error::UnexpectedStatus`](crate::Error::UnexpectedStatus) and a body that fits no documented schema [`Error::Decode`](crate::Error::Decode).".to_owned(),
    );
    if !plan.errors.is_empty() {
        own_lines.push("The documented refusals:".to_owned());
        own_lines.push(String::new());
        own_lines.extend(plan.errors.iter().map(|line| format!("- {line}")));
    }
    let spec_doc = docs(&doc_text);
    let own_doc = doc_attrs(&own_lines);
    let doc = quote!(#spec_doc #own_doc);

    // Arguments, with and without the caller's uid.
    let mut args = Vec::new();
    let mut call_args = Vec::new();
    for arg in &plan.path_args {
        let arg_name = ident(&arg.name);
        let ty = arg.arg_type(None);
        args.push(quote!(#arg_name: #ty));
        call_args.push(quote!(#arg_name));
    }
    if let Some(params) = &plan.params_struct {
        let params = ident(params);
        args.push(quote!(params: &#params));
        call_args.push(quote!(params));
    } else {
        for arg in plan.query_args.iter().filter(|arg| !arg.caller) {
            let arg_name = ident(&arg.name);
            let ty = arg.arg_type(None);
            args.push(quote!(#arg_name: #ty));
            call_args.push(quote!(#arg_name));
        }
    }
    if let Some(body) = &plan.body {
        let ty = &body.type_tokens;
        let by = if body.multipart.is_empty() {
            quote!(&#ty)
        } else {
            quote!(#ty)
        };
        args.push(if body.required {
            quote!(body: #by)
        } else {
            quote!(body: Option<#by>)
        });
        call_args.push(quote!(body));
    }
    let (caller_param, caller_ident) = match &plan.caller_arg {
        Some(arg) => {
            let arg_name = ident(&arg.name);
            let ty = arg.arg_type(None);
            (Some(quote!(#arg_name: #ty,)), Some(arg_name))
        }
        None => (None, None),
    };

    let path = path_expression(plan);
    let http_method = format_ident!("{}", plan.method);
    let id = &plan.id;
    let template = &plan.path;
    let statuses = &plan.statuses;
    let public = plan.public;
    let mut statements = vec![quote! {
        let op = crate::transport::Op {
            id: #id,
            method: reqwest::Method::#http_method,
            path: #template,
            statuses: &[#(#statuses),*],
            public: #public,
        };
        let path = #path;
    }];
    let mut apply = Vec::new();
    if !plan.query_consts.is_empty() || !plan.query_args.is_empty() {
        let mut required = Vec::new();
        let mut optional = Vec::new();
        for (wire, value) in &plan.query_consts {
            let text = match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            required.push(quote!((#wire, #text.to_owned())));
        }
        for arg in &plan.query_args {
            let wire = &arg.wire;
            let access = if plan.params_struct.is_some() && !arg.caller {
                let field = ident(&arg.name);
                quote!(params.#field)
            } else {
                let arg_name = ident(&arg.name);
                quote!(#arg_name)
            };
            if arg.required {
                required.push(quote!((#wire, crate::wire::text(&#access))));
            } else {
                optional.push(quote! {
                    if let Some(value) = &#access {
                        query.push((#wire, crate::wire::text(value)));
                    }
                });
            }
        }
        let binding = if optional.is_empty() {
            quote!(let query: Vec<(&str, String)>)
        } else {
            quote!(let mut query: Vec<(&str, String)>)
        };
        statements.push(quote! {
            #binding = vec![#(#required),*];
            #(#optional)*
        });
        apply.push(quote!(let request = request.query(&query);));
    }
    if let Some(body) = &plan.body {
        let (prepare, add) = body_statement(body);
        statements.push(prepare);
        apply.push(add);
    }
    let build = quote!(|request: reqwest::RequestBuilder| { #(#apply)* Ok(request) });
    let (ret_type, call) = match &plan.ret {
        Return::Unit => (
            quote!(()),
            quote!(self.call::<serde_json::Value, _>(&op, &path, #build).await.map(|response| response.map(drop))),
        ),
        Return::Json(ty) => (
            ty.clone(),
            quote!(self.call::<#ty, _>(&op, &path, #build).await),
        ),
        Return::Download => (
            quote!(crate::Download),
            quote!(self.download(&op, &path, #build).await),
        ),
    };
    // Session hooks: the specs mark no operation as ending a session, so the ones that do are
    // named here. After any of them succeeds, the client must not keep a token the server has
    // just revoked: `token()` then says truthfully that the caller has to log in again.
    let json_body = plan
        .body
        .as_ref()
        .filter(|body| body.required && body.multipart.is_empty());
    let hook = match (spec.flavor, plan.id.as_str()) {
        (Flavor::Mgr, "signout") => Some(quote!(self.forget_session();)),
        (Flavor::Procurement, "logout") => plan
            .query_args
            .iter()
            .find(|a| a.wire == "uid" && a.required && plan.params_struct.is_none())
            .map(|a| {
                let uid = ident(&a.name);
                quote!(self.forget_token_of(&crate::wire::text(&#uid));)
            }),
        // A password change logs the caller out everywhere, this request's token included.
        (Flavor::Procurement, "change_password") => {
            json_body.map(|_| quote!(self.set_token(None);))
        }
        // Updating a user revokes that user's live token: the admin's own when editing themselves.
        (Flavor::Procurement, "admin_update_user") => {
            json_body.map(|_| quote!(self.forget_token_of(body.id.as_str());))
        }
        _ => None,
    };
    let tail = match hook {
        Some(hook) => quote! {
            let result = #call;
            if result.is_ok() {
                #hook
            }
            result
        },
        None => call,
    };
    let stream = plan
        .paging
        .as_ref()
        .map(|paging| stream_method(plan, paging))
        .unwrap_or_default();
    let signature = quote!(#(#args),*);
    let arguments = quote!(#(#call_args),*);
    let Some(caller) = caller_ident else {
        let methods = value_and_response(
            &plan.id,
            &doc,
            &signature,
            &arguments,
            &ret_type,
            quote!(#(#statements)* #tail),
        );
        return quote!(#methods #stream);
    };
    // `<op>` and `<op>_with_response` read the caller's uid from the token and call
    // `<op>_for_with_response`, which sends the request.
    let for_id = format!("{}_for", plan.id);
    let for_with_response = format_ident!("{for_id}_with_response");
    let own = value_and_response(
        &plan.id,
        &doc,
        &signature,
        &arguments,
        &ret_type,
        quote! {
            let #caller = self.own_uid()?;
            self.#for_with_response(&#caller, #arguments).await
        },
    );
    let for_doc = doc_attrs(&[format!(
        "[`{id}`](Self::{id}) for the user `{caller}` instead of the caller (for example an admin acting on another user).",
    )]);
    let explicit = value_and_response(
        &for_id,
        &for_doc,
        &quote!(#caller_param #signature),
        &quote!(#caller, #arguments),
        &ret_type,
        quote!(#(#statements)* #tail),
    );
    quote!(#own #explicit #stream)
}

/// `<name>`, returning the value, and `<name>_with_response`, returning it with the response's
/// metadata and running `body`.
fn value_and_response(
    name: &str,
    doc: &TokenStream,
    signature: &TokenStream,
    arguments: &TokenStream,
    ret_type: &TokenStream,
    body: TokenStream,
) -> TokenStream {
    let value = ident(name);
    let with_response = format_ident!("{name}_with_response");
    let with_response_doc = format!(
        " Like [`{name}`](Self::{name}), with the response's status, headers and request id."
    );
    quote! {
        #doc
        pub async fn #value(&self, #signature) -> crate::Result<#ret_type> {
            self.#with_response(#arguments).await.map(crate::Response::into_value)
        }

        #[doc = #with_response_doc]
        pub async fn #with_response(&self, #signature) -> crate::Result<crate::Response<#ret_type>> {
            #body
        }
    }
}

fn path_expression(plan: &Plan) -> TokenStream {
    let mut format = String::new();
    let mut values = Vec::new();
    let mut rest = plan.path.as_str();
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
        format.push_str(&rest[..open]);
        format.push_str("{}");
        let name = &rest[open + 1..close];
        let arg = ident(&snake_case(name));
        values.push(quote!(crate::wire::segment(&#arg)));
        rest = rest.get(close + 1..).unwrap_or("");
    }
    format.push_str(rest);
    if values.is_empty() {
        quote!(#format.to_owned())
    } else {
        quote!(format!(#format, #(#values),*))
    }
}

/// The statement that prepares the body once, and the one that adds it to each attempt.
fn body_statement(body: &BodyPlan) -> (TokenStream, TokenStream) {
    let consts: Vec<TokenStream> = body
        .consts
        .iter()
        .map(|(name, value)| match value {
            Value::String(text) => quote!((#name, serde_json::Value::from(#text))),
            Value::Bool(flag) => quote!((#name, serde_json::Value::from(#flag))),
            Value::Number(number) => {
                let number = number.as_i64().unwrap_or_default();
                quote!((#name, serde_json::Value::from(#number)))
            }
            _ => quote!((#name, serde_json::Value::Null)),
        })
        .collect();
    if !body.multipart.is_empty() {
        // Multipart bodies are streams that reqwest cannot clone, so each attempt builds its
        // own form from the caller's value.
        let parts = body.multipart.iter().map(|(wire, is_file)| {
            let field = ident(&snake_case(wire));
            if *is_file {
                quote!(let form = form.part(#wire, body.#field.clone().into_part()?);)
            } else {
                quote!(let form = form.text(#wire, crate::wire::text(&body.#field));)
            }
        });
        return (
            quote!(),
            quote! {
                let form = reqwest::multipart::Form::new();
                #(#parts)*
                let request = request.multipart(form);
            },
        );
    }
    let encode = if body.media == "application/x-www-form-urlencoded" {
        quote!(form)
    } else {
        quote!(json)
    };
    let callers = &body.caller_members;
    if body.required && !callers.is_empty() {
        return (
            quote! {
                let mut payload = crate::wire::body(body, &[#(#consts),*])?;
                #(
                    if payload.get(#callers).is_none_or(serde_json::Value::is_null) {
                        payload[#callers] = serde_json::Value::from(self.own_uid()?.0);
                    }
                )*
            },
            quote!(let request = request.#encode(&payload);),
        );
    }
    if body.required {
        (
            quote!(let payload = crate::wire::body(body, &[#(#consts),*])?;),
            quote!(let request = request.#encode(&payload);),
        )
    } else {
        (
            quote! {
                let payload = match body {
                    Some(body) => Some(crate::wire::body(body, &[#(#consts),*])?),
                    None => None,
                };
            },
            quote! {
                let request = match &payload {
                    Some(payload) => request.#encode(payload),
                    None => request,
                };
            },
        )
    }
}

/// `<op>_stream`: every item of every page, fetched lazily.
fn stream_method(plan: &Plan, paging: &Paging) -> TokenStream {
    let name = format_ident!("{}_stream", plan.id);
    let method = ident(&plan.id);
    let item = &paging.item_type;
    let lifetime = quote!('a);
    let page_arg = ident(&snake_case(&paging.page_arg));
    let items_field = ident(&snake_case(&paging.items_field));
    let mut args = Vec::new();
    let mut call_args = Vec::new();
    for arg in &plan.path_args {
        let arg_name = ident(&arg.name);
        let ty = arg.arg_type(Some(&lifetime));
        args.push(quote!(#arg_name: #ty));
        call_args.push(quote!(#arg_name));
    }
    let mut prepare = quote!();
    if let Some(params) = &plan.params_struct {
        let params = ident(params);
        args.push(quote!(params: #params));
        let page_setter = format_ident!("with_{}", snake_case(&paging.page_arg));
        prepare = quote! {
            let params = params.clone().#page_setter(#page_arg);
        };
        call_args.push(quote!(&params));
    } else {
        for arg in plan.query_args.iter().filter(|arg| !arg.caller) {
            let arg_name = ident(&arg.name);
            if arg.wire == paging.page_arg {
                call_args.push(if arg.required {
                    quote!(#page_arg)
                } else {
                    quote!(Some(#page_arg))
                });
                continue;
            }
            let ty = arg.arg_type(Some(&lifetime));
            args.push(quote!(#arg_name: #ty));
            call_args.push(quote!(#arg_name));
        }
    }
    let more = if paging.page_arg == "pagenum" {
        quote!(#page_arg.saturating_mul(pagesize) < fetched.total)
    } else {
        quote!(#page_arg < fetched.total_pages)
    };
    let doc = format!(
        " Every item of [`{}`](Self::{}), page after page, as a stream (pages are fetched as the stream is polled; the first error ends it).",
        plan.id, plan.id
    );
    quote! {
        #[doc = #doc]
        pub fn #name<'a>(&'a self, #(#args),*) -> impl futures_util::Stream<Item = crate::Result<#item>> + 'a {
            crate::paging::items(move |#page_arg| {
                #prepare
                async move {
                    let fetched = self.#method(#(#call_args),*).await?;
                    Ok(crate::paging::Page { more: #more, items: fetched.#items_field })
                }
            })
        }
    }
}

/// The Rust names of the procurement codes. The spec's `x-codes` table gives codes and their
/// Chinese messages; the names are this generator's (the spec has no English names for them).
const CODE_NAMES: [(i64, &str); 16] = [
    (0, "Failure"),
    (1, "Success"),
    (2, "TokenInvalid"),
    (3, "TokenMissing"),
    (11, "ParamMissing"),
    (12, "ParamInvalid"),
    (21, "NotLoggedIn"),
    (22, "AccountExpired"),
    (23, "WrongPassword"),
    (24, "PasswordExpired"),
    (25, "AccountDisabled"),
    (26, "AccountLocked"),
    (27, "AccountNotFound"),
    (28, "AccountExists"),
    (29, "AccountOffline"),
    (31, "NoPermission"),
];

/// The `Code` variant of a code; one missing from [`CODE_NAMES`] is named `Code<n>`.
fn code_name(code: i64) -> String {
    CODE_NAMES
        .iter()
        .find(|(known, _)| *known == code)
        .map_or_else(|| format!("Code{code}"), |(_, name)| (*name).to_owned())
}

/// The procurement `Code` enum, from the spec's `x-codes` table.
pub fn code_enum(spec: &Spec) -> TokenStream {
    let mut codes: Vec<(i64, String)> = spec
        .doc
        .get("x-codes")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(code, msg)| Some((code.parse().ok()?, msg.as_str()?.to_owned())))
        .collect();
    codes.sort_by_key(|(code, _)| *code);
    let variants: Vec<_> = codes
        .iter()
        .map(|(code, _)| format_ident!("{}", code_name(*code)))
        .collect();
    let numbers: Vec<i64> = codes.iter().map(|(code, _)| *code).collect();
    let messages: Vec<&str> = codes.iter().map(|(_, msg)| msg.as_str()).collect();
    let variant_docs = codes.iter().map(|(code, msg)| format!(" `{code}` {msg}"));
    quote! {
        /// A `code` of the procurement envelope, from the spec's `x-codes` table, or
        /// [`Code::Unknown`] for a value the table does not list.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            #(
                #[doc = #variant_docs]
                #variants,
            )*
            /// A code the spec does not list.
            Unknown(i64),
        }

        impl Code {
            /// The code of a wire value.
            pub const fn from_code(code: i64) -> Self {
                match code { #(#numbers => Self::#variants,)* other => Self::Unknown(other) }
            }

            /// The wire value.
            pub const fn code(self) -> i64 {
                match self { #(Self::#variants => #numbers,)* Self::Unknown(other) => other }
            }

            /// The table's message for a documented code.
            pub const fn message(self) -> Option<&'static str> {
                match self { #(Self::#variants => Some(#messages),)* Self::Unknown(_) => None }
            }
        }
    }
}
