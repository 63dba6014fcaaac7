//! The server's side of the contract: one type per procurement operation carrying its
//! operationId, method, path and the roles of its `x-roles`, its query parameters, and its
//! JSON request body ([`bodies`]), written to `server/src/procurement/generated.rs`.
//!
//! The server routes every operation from this table and checks the caller's role with the
//! operation's type (`extract::Authorized<DeptApprove>`), so neither a path nor a role list is
//! written by hand in the server: changing either in the YAML and regenerating changes the
//! server's behaviour, and removing an operation breaks its build.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::naming::{docs, ident, pascal_case, snake_case};
use super::spec::{Operation, Spec};

mod bodies;

/// The roles `x-roles` may name, with the variant of the server's `domain::Role` each one is.
/// `public` (login) is the empty list: no token, no role check.
const ROLES: [(&str, &str); 4] = [
    ("admin", "Admin"),
    ("instlead", "InstLead"),
    ("deptlead", "DeptLead"),
    ("applicant", "Applicant"),
];

/// The generated module of the procurement server.
pub fn procurement(spec: &Spec, spec_path: &str) -> anyhow::Result<TokenStream> {
    let ops = spec.operations();
    let mut items = Vec::new();
    let mut names = Vec::new();
    for op in &ops {
        let (item, name) = endpoint(op)?;
        items.push(item);
        items.push(query_struct(spec, op));
        names.push(name);
    }
    let bodies = bodies::items(spec, &ops)?;
    let module_doc = format!(
        " The operations of `{spec_path}` as the server implements them: one type per operation \
         (named after its operationId) carrying its method, path and the roles of its `x-roles`, \
         its query parameters (`DeptDenyQuery`) and its JSON request body (`CreateOrderBody`)."
    );
    Ok(quote! {
        #![doc = #module_doc]

        use std::collections::HashMap;

        use serde_json::{Map, Value};

        use super::domain::Role;

        /// An HTTP method the spec uses.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Method {
            Get,
            Post,
            Put,
            Delete,
        }

        impl Method {
            /// The method as the spec spells it (`get`, `put`, ...).
            pub const fn as_str(self) -> &'static str {
                match self {
                    Self::Get => "get",
                    Self::Post => "post",
                    Self::Put => "put",
                    Self::Delete => "delete",
                }
            }
        }

        /// What the spec says about how an operation is called and who may call it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct Operation {
            /// The operationId, which is also the handler's name.
            pub id: &'static str,
            pub method: Method,
            /// The path, with `{name}` parameters (axum's syntax too).
            pub path: &'static str,
            /// `x-roles`: the roles that pass the role check (31 for the others).
            pub roles: &'static [Role],
            /// `x-roles: [public]`: no token is read (login).
            pub public: bool,
        }

        /// An operation as a type, so that an extractor can carry it
        /// (`extract::Authorized<DeptApprove>`).
        pub trait Endpoint {
            const OPERATION: Operation;
        }

        /// Why parameters or body members are refused: code 11 参数缺失 or code 12 参数错误.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum ParamError {
            /// A required parameter is absent or blank: 11 参数缺失.
            Missing,
            /// A parameter breaks its schema's `maxLength`: 12 参数错误.
            Invalid,
        }

        /// The query parameters of an operation, parsed from the decoded query string.
        ///
        /// What is checked here is what the spec states for every parameter alike: presence of
        /// the required ones (absent or blank: [`ParamError::Missing`], the value is trimmed)
        /// and `maxLength` (counted in characters as sent: [`ParamError::Invalid`]), in the
        /// spec's order of parameters. Patterns and integers are parsed by the handler and the
        /// domain, after these checks, because what a malformed value answers differs by type
        /// (an order id that cannot exist is 申请单不存在, not 参数错误).
        pub trait FromQuery: Sized {
            fn from_query(query: &HashMap<String, String>) -> Result<Self, ParamError>;
        }

        fn too_long(value: &str, max: Option<usize>) -> bool {
            max.is_some_and(|max| value.chars().count() > max)
        }

        fn required(
            query: &HashMap<String, String>,
            name: &str,
            max: Option<usize>,
        ) -> Result<String, ParamError> {
            let value = query.get(name).ok_or(ParamError::Missing)?;
            let trimmed = value.trim();
            if trimmed.is_empty() {
                return Err(ParamError::Missing);
            }
            if too_long(value, max) {
                return Err(ParamError::Invalid);
            }
            Ok(trimmed.to_owned())
        }

        fn optional(
            query: &HashMap<String, String>,
            name: &str,
            max: Option<usize>,
        ) -> Result<Option<String>, ParamError> {
            match query.get(name) {
                Some(value) if too_long(value, max) => Err(ParamError::Invalid),
                value => Ok(value.cloned()),
            }
        }

        #(#items)*

        /// Every operation, in spec order.
        pub const OPERATIONS: &[Operation] = &[#(<#names as Endpoint>::OPERATION),*];

        #bodies
    })
}

/// The type of one operation and its name.
fn endpoint(op: &Operation<'_>) -> anyhow::Result<(TokenStream, syn::Ident)> {
    let name = format_ident!("{}", pascal_case(&op.id));
    let id = &op.id;
    let path = &op.path;
    let method = match op.method.as_str() {
        "get" => quote!(Method::Get),
        "post" => quote!(Method::Post),
        "put" => quote!(Method::Put),
        "delete" => quote!(Method::Delete),
        other => anyhow::bail!("{id}: method {other} has no server route"),
    };
    let named: Vec<&str> = op
        .value
        .get("x-roles")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if named.is_empty() {
        anyhow::bail!("{id}: no x-roles");
    }
    let public = named == ["public"];
    let mut roles = Vec::new();
    for role in named.iter().filter(|role| **role != "public") {
        let Some((_, variant)) = ROLES.iter().find(|(wire, _)| wire == role) else {
            anyhow::bail!("{id}: unknown role {role:?} in x-roles");
        };
        let variant = format_ident!("{variant}");
        roles.push(quote!(Role::#variant));
    }
    let summary = docs(op.summary());
    let location = format!(
        " `{} {path}`, operationId `{id}`, x-roles: {}.",
        op.method.to_uppercase(),
        named.join(", ")
    );
    let item = quote! {
        #summary
        ///
        #[doc = #location]
        #[derive(Clone, Copy, Debug)]
        pub struct #name;

        impl Endpoint for #name {
            const OPERATION: Operation = Operation {
                id: #id,
                method: #method,
                path: #path,
                roles: &[#(#roles),*],
                public: #public,
            };
        }
    };
    Ok((item, name))
}

/// `<Operation>Query`, when the operation has query parameters: one field per parameter, named
/// after it in snake case; required ones are a trimmed `String`, optional ones the value as
/// sent.
fn query_struct(spec: &Spec, op: &Operation<'_>) -> TokenStream {
    let params: Vec<_> = op.params.iter().filter(|p| p.location == "query").collect();
    if params.is_empty() {
        return TokenStream::new();
    }
    let name = format_ident!("{}Query", pascal_case(&op.id));
    let mut fields = Vec::new();
    let mut reads = Vec::new();
    for param in params {
        let field = ident(&snake_case(&param.name));
        let wire = &param.name;
        let schema = spec.resolve(param.schema);
        let max = schema
            .get("maxLength")
            .and_then(Value::as_u64)
            .map(|max| usize::try_from(max).unwrap_or(usize::MAX));
        let max_tokens = match max {
            Some(max) => quote!(Some(#max)),
            None => quote!(None),
        };
        let mut doc = format!("`{wire}`: {}", param.description.trim());
        if param.required {
            doc.push_str(" Required: absent or blank answers 11 参数缺失; trimmed.");
        }
        if let Some(max) = max {
            doc.push_str(&format!(
                " At most {max} characters as sent, else 12 参数错误."
            ));
        }
        let doc = docs(&doc);
        if param.required {
            fields.push(quote!(#doc pub #field: String,));
            reads.push(quote!(#field: required(query, #wire, #max_tokens)?,));
        } else {
            fields.push(quote!(#doc pub #field: Option<String>,));
            reads.push(quote!(#field: optional(query, #wire, #max_tokens)?,));
        }
    }
    let doc = format!(" The query parameters of `{}`.", op.id);
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct #name {
            #(#fields)*
        }

        impl FromQuery for #name {
            fn from_query(query: &HashMap<String, String>) -> Result<Self, ParamError> {
                Ok(Self {
                    #(#reads)*
                })
            }
        }
    }
}
