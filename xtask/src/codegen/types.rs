//! Rust types from component schemas: structs for objects, enums for enums, aliases for the rest.
//!
//! Only the components the client's methods reach are emitted, in spec order; the envelopes
//! (`RetError`, `ErrorEnvelope`, the `Ok*` wrappers) never reach a method signature, so they
//! stay out of the SDK. `const` members are not fields: the SDK fills them in on requests and
//! checks the envelope's on responses.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::naming::{docs, ident, is_identifier, pascal_case, snake_case};
use super::spec::{Shape, Spec, str_of};

pub struct Types<'s> {
    spec: &'s Spec,
    /// Component names a signature or another type uses.
    used: BTreeSet<String>,
    /// Items of inline enums and objects, emitted after the component they belong to.
    inline: BTreeMap<String, TokenStream>,
}

impl<'s> Types<'s> {
    pub fn new(spec: &'s Spec) -> Self {
        Self {
            spec,
            used: BTreeSet::new(),
            inline: BTreeMap::new(),
        }
    }

    /// The Rust type of a schema; `hint` names an inline enum or object.
    pub fn rust_type(&mut self, schema: &Value, hint: &str) -> TokenStream {
        let shape = self.spec.shape(schema);
        self.shape_type(&shape, schema, hint)
    }

    fn shape_type(&mut self, shape: &Shape, schema: &Value, hint: &str) -> TokenStream {
        match shape {
            Shape::Ref(name) => {
                self.used.insert(name.clone());
                let name = ident(name);
                quote!(#name)
            }
            Shape::Const(_) => quote!(()),
            Shape::Nullable(inner) => {
                let inner = self.shape_type(inner, &non_null_branch(schema), hint);
                quote!(Option<#inner>)
            }
            Shape::String => quote!(String),
            Shape::Binary => quote!(crate::Upload),
            Shape::Integer { int32: true } => quote!(i32),
            Shape::Integer { int32: false } => quote!(i64),
            Shape::Number => quote!(f64),
            Shape::Boolean => quote!(bool),
            Shape::Array(inner) => {
                let items = schema.get("items").cloned().unwrap_or(Value::Null);
                let inner = self.shape_type(inner, &items, hint);
                quote!(Vec<#inner>)
            }
            Shape::Enum(values) => {
                if !self.inline.contains_key(hint) {
                    let item = enum_item(hint, values, str_of(schema, "description"));
                    self.inline.insert(hint.to_owned(), item);
                }
                let name = ident(hint);
                quote!(#name)
            }
            Shape::Object => {
                if !self.inline.contains_key(hint) {
                    self.inline.insert(hint.to_owned(), TokenStream::new());
                    let item = self.struct_item(hint, schema);
                    self.inline.insert(hint.to_owned(), item);
                }
                let name = ident(hint);
                quote!(#name)
            }
            Shape::Any => quote!(serde_json::Value),
        }
    }

    /// Whether a component is an object whose every member is `const` (a bare success such as
    /// `RetOk`): methods return `()` for it.
    pub fn is_unit_object(&self, schema: &Value) -> bool {
        let schema = self.spec.resolve(schema);
        self.spec.shape(schema) == Shape::Object
            && properties(schema)
                .iter()
                .all(|(_, property)| matches!(self.spec.shape(property), Shape::Const(_)))
    }

    /// The `const` members of an object schema, as (wire name, value).
    pub fn consts(&self, schema: &Value) -> Vec<(String, Value)> {
        let schema = self.spec.resolve(schema);
        properties(schema)
            .into_iter()
            .filter_map(|(name, property)| match self.spec.shape(&property) {
                Shape::Const(value) => Some((name, value)),
                _ => None,
            })
            .collect()
    }

    /// Every used component, in spec order, each followed by its inline types.
    pub fn items(mut self) -> TokenStream {
        let mut emitted: BTreeMap<usize, TokenStream> = BTreeMap::new();
        let names = self.spec.component_names();
        loop {
            let pending: Vec<(usize, String)> = names
                .iter()
                .enumerate()
                .filter(|(at, name)| self.used.contains(*name) && !emitted.contains_key(at))
                .map(|(at, name)| (at, name.clone()))
                .collect();
            if pending.is_empty() {
                break;
            }
            for (at, name) in pending {
                let schema = self.spec.component(&name).cloned().unwrap_or(Value::Null);
                let item = self.component_item(&name, &schema);
                emitted.insert(at, item);
            }
        }
        let mut out = TokenStream::new();
        let inline = std::mem::take(&mut self.inline);
        for (at, item) in emitted {
            out.extend(item);
            let parent = &names[at];
            for (name, item) in &inline {
                if name.starts_with(parent.as_str())
                    && !names.iter().any(|other| other == name)
                    && owner(name, &names) == Some(parent.as_str())
                {
                    out.extend(item.clone());
                }
            }
        }
        for (name, item) in &inline {
            if owner(name, &names).is_none() {
                out.extend(item.clone());
            }
        }
        out
    }

    /// Whether the component `name` becomes an id newtype: a string or integer component whose
    /// name ends in `Id` (`OrderId`, `UserId`, `NoticeId`), so that ids of different things
    /// cannot be swapped and a bare string is not taken for one.
    pub fn is_id_newtype(&self, name: &str) -> bool {
        name.len() > 2
            && name.ends_with("Id")
            && self.spec.component(name).is_some_and(|schema| {
                matches!(
                    self.spec.shape(schema),
                    Shape::String | Shape::Integer { .. }
                )
            })
    }

    /// The id newtype a schema refers to, if it does.
    pub fn id_newtype(&self, schema: &Value) -> Option<String> {
        match self.spec.shape(schema) {
            Shape::Ref(name) if self.is_id_newtype(&name) => Some(name),
            _ => None,
        }
    }

    fn component_item(&mut self, name: &str, schema: &Value) -> TokenStream {
        let doc = docs(str_of(schema, "description"));
        match self.spec.shape(schema) {
            Shape::Object => self.struct_item(name, schema),
            Shape::Enum(values) => enum_item(name, &values, str_of(schema, "description")),
            Shape::String if self.is_id_newtype(name) => id_newtype_item(name, &doc, true),
            Shape::Integer { .. } if self.is_id_newtype(name) => id_newtype_item(name, &doc, false),
            shape => {
                let target = self.shape_type(&shape, schema, &format!("{name}Value"));
                let name = ident(name);
                quote! {
                    #doc
                    pub type #name = #target;
                }
            }
        }
    }

    fn struct_item(&mut self, name: &str, schema: &Value) -> TokenStream {
        let doc = docs(str_of(schema, "description"));
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut fields = Vec::new();
        let mut members = Vec::new();
        let mut multipart = false;
        let mut all_optional = true;
        for (wire, property) in properties(schema) {
            let shape = self.spec.shape(&property);
            if matches!(shape, Shape::Const(_)) {
                continue;
            }
            let resolved_shape = self.spec.resolved_shape(&property);
            multipart |= resolved_shape == Shape::Binary;
            let hint = format!("{name}{}", pascal_case(&wire));
            let nullable = matches!(shape, Shape::Nullable(_));
            // `x-caller`: the caller's own user id, which the SDK fills in from its token when
            // the caller leaves it unset; so it is optional in Rust whatever the spec requires.
            let caller = property.get("x-caller").and_then(Value::as_bool) == Some(true);
            let is_required = required.contains(&wire.as_str()) && !caller;
            let base = self.shape_type(&shape, &property, &hint);
            // Strings and id newtypes are taken as `impl Into<..>` by `new` and the setters.
            let into = resolved_shape == Shape::String || self.id_newtype(&property).is_some();
            let field_name = snake_case(&wire);
            let field = ident(&field_name);
            let rename = (field_name != wire).then(|| quote!(#[serde(rename = #wire)]));
            let description = match str_of(&property, "description") {
                "" => str_of(self.spec.resolve(&property), "description").to_owned(),
                own => own.to_owned(),
            };
            let mut description = if description.is_empty() {
                format!("The `{wire}` member.")
            } else {
                description
            };
            if caller {
                description.push_str(
                    "\n\nLeft unset, the SDK sends the caller's own user id, read from the token.",
                );
            }
            let field_doc = docs(&description);
            let (ty, attrs) = match (is_required, nullable) {
                (true, _) => {
                    all_optional = false;
                    (base.clone(), quote!())
                }
                (false, false) => (
                    quote!(Option<#base>),
                    quote!(#[serde(default, skip_serializing_if = "Option::is_none")]),
                ),
                (false, true) => (
                    quote!(Option<#base>),
                    quote!(#[serde(default, skip_serializing_if = "Option::is_none", with = "crate::wire::double_option")]),
                ),
            };
            let attrs = if multipart { quote!() } else { attrs };
            let rename = if multipart { None } else { rename };
            fields.push(quote! {
                #field_doc
                #rename
                #attrs
                pub #field: #ty,
            });
            members.push(Member {
                field,
                wire,
                ty,
                base,
                required: is_required,
                nullable,
                into,
            });
        }
        let type_name = ident(name);
        let default = all_optional.then(|| quote!(Default,));
        let constructor = constructor(name, &members);
        let secret = members.iter().any(Member::is_secret);
        let debug = if secret {
            debug_impl(name, &members)
        } else {
            quote!()
        };
        let derive_debug = (!secret).then(|| quote!(Debug,));
        let derives = if multipart {
            quote!(#[derive(#derive_debug Clone, PartialEq)])
        } else {
            quote!(#[derive(#derive_debug Clone, PartialEq, #default serde::Serialize, serde::Deserialize)])
        };
        quote! {
            #doc
            #derives
            #[non_exhaustive]
            pub struct #type_name { #(#fields)* }

            #constructor
            #debug
        }
    }
}

/// One member of a generated struct, for its constructor, setters and `Debug`.
struct Member {
    field: proc_macro2::Ident,
    wire: String,
    /// The field's type (`Option<..>` when optional).
    ty: TokenStream,
    /// The type without the optional layer.
    base: TokenStream,
    required: bool,
    nullable: bool,
    /// Whether `new` and the setter take `impl Into<base>`.
    into: bool,
}

impl Member {
    /// Passwords never show in `Debug` output.
    fn is_secret(&self) -> bool {
        self.wire.to_ascii_lowercase().contains("password")
    }
}

/// `new` with the required members (in spec order) and a `with_<member>` setter per optional
/// one. Structs are `#[non_exhaustive]`, so a member the spec adds later breaks no caller: an
/// optional one gets a setter, a required one a new `new` argument (which must break callers,
/// as their requests would be refused).
fn constructor(name: &str, members: &[Member]) -> TokenStream {
    let type_name = ident(name);
    let mut params = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    for member in members {
        let field = &member.field;
        let base = &member.base;
        let ty = &member.ty;
        if member.required {
            if member.into && !member.nullable {
                params.push(quote!(#field: impl Into<#base>));
                inits.push(quote!(#field: #field.into()));
            } else {
                params.push(quote!(#field: #ty));
                inits.push(quote!(#field));
            }
            continue;
        }
        inits.push(quote!(#field: None));
        let setter = quote::format_ident!("with_{}", field.to_string().trim_start_matches("r#"));
        let doc = format!(
            " Sets [`{field}`](Self::{field}).",
            field = field.to_string().trim_start_matches("r#")
        );
        let (param, value) = match (member.nullable, member.into) {
            // "Absent keeps, null clears": `Some(None)` sends `null`.
            (true, _) => (quote!(#field: #base), quote!(Some(#field))),
            (false, true) => (
                quote!(#field: impl Into<#base>),
                quote!(Some(#field.into())),
            ),
            (false, false) => (quote!(#field: #base), quote!(Some(#field))),
        };
        setters.push(quote! {
            #[doc = #doc]
            #[must_use]
            pub fn #setter(mut self, #param) -> Self {
                self.#field = #value;
                self
            }
        });
    }
    let new_doc =
        format!(" Builds a `{name}` from its required members; the optional ones are unset.");
    quote! {
        impl #type_name {
            #[doc = #new_doc]
            #[allow(clippy::too_many_arguments)]
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits),* }
            }

            #(#setters)*
        }
    }
}

/// `Debug` that prints `<redacted>` for password members.
fn debug_impl(name: &str, members: &[Member]) -> TokenStream {
    let type_name = ident(name);
    let fields = members.iter().map(|member| {
        let field = &member.field;
        let label = field.to_string().trim_start_matches("r#").to_owned();
        if member.is_secret() {
            quote!(.field(#label, &"<redacted>"))
        } else {
            quote!(.field(#label, &self.#field))
        }
    });
    quote! {
        impl std::fmt::Debug for #type_name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(#name) #(#fields)* .finish()
            }
        }
    }
}

/// A newtype for an id component: the wire value inside, conversions from literals, `Display`.
fn id_newtype_item(name: &str, doc: &TokenStream, string: bool) -> TokenStream {
    let type_name = ident(name);
    let (inner, from_literal) = if string {
        (
            quote!(String),
            quote! {
                impl From<&str> for #type_name {
                    fn from(value: &str) -> Self {
                        Self(value.to_owned())
                    }
                }

                impl From<&String> for #type_name {
                    fn from(value: &String) -> Self {
                        Self(value.clone())
                    }
                }

                impl AsRef<str> for #type_name {
                    fn as_ref(&self) -> &str {
                        &self.0
                    }
                }

                impl PartialEq<str> for #type_name {
                    fn eq(&self, other: &str) -> bool {
                        self.0 == other
                    }
                }

                impl PartialEq<&str> for #type_name {
                    fn eq(&self, other: &&str) -> bool {
                        self.0 == *other
                    }
                }

                impl #type_name {
                    /// The id as text.
                    pub fn as_str(&self) -> &str {
                        &self.0
                    }
                }
            },
        )
    } else {
        (
            quote!(i64),
            quote! {
                impl #type_name {
                    /// The id as a number.
                    pub const fn get(self) -> i64 {
                        self.0
                    }
                }
            },
        )
    };
    let copy = (!string).then(|| quote!(Copy,));
    quote! {
        #doc
        #[derive(Debug, Clone, #copy PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct #type_name(pub #inner);

        impl From<#inner> for #type_name {
            fn from(value: #inner) -> Self {
                Self(value)
            }
        }

        impl std::fmt::Display for #type_name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }

        #from_literal
    }
}

/// The component that an inline type named `name` belongs to: the longest component name that
/// prefixes it.
fn owner<'n>(name: &str, names: &'n [String]) -> Option<&'n str> {
    names
        .iter()
        .filter(|parent| name.starts_with(parent.as_str()) && name != parent.as_str())
        .max_by_key(|parent| parent.len())
        .map(String::as_str)
}

/// Properties of an object schema, in spec order.
pub fn properties(schema: &Value) -> Vec<(String, Value)> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|map| map.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

/// The non-null part of a nullable schema, for naming and item lookups.
fn non_null_branch(schema: &Value) -> Value {
    for keyword in ["oneOf", "anyOf"] {
        if let Some(branches) = schema.get(keyword).and_then(Value::as_array)
            && let Some(branch) = branches
                .iter()
                .find(|b| b.get("type").and_then(Value::as_str) != Some("null"))
        {
            return branch.clone();
        }
    }
    schema.clone()
}

/// An enum of strings or integers, with an `Unknown` variant that keeps a value the spec does
/// not (yet) list: a server that grows a new status or role never fails a whole page. The enum
/// is `#[non_exhaustive]` so that the spec can add variants without breaking a `match`.
fn enum_item(name: &str, values: &[Value], description: &str) -> TokenStream {
    let doc = docs(description);
    let names = variant_names(values, description);
    let type_name = ident(name);
    let variants: Vec<_> = names.iter().map(|n| format_ident!("{}", n)).collect();
    if values.iter().all(Value::is_string) {
        let wire: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        let variant_docs = wire.iter().map(|w| format!(" `{w}`"));
        quote! {
            #doc
            #[derive(Debug, Clone, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum #type_name {
                #(
                    #[doc = #variant_docs]
                    #variants,
                )*
                /// A value the spec does not list, as received.
                Unknown(String),
            }

            impl #type_name {
                /// The value as sent on the wire.
                pub fn as_str(&self) -> &str {
                    match self { #(Self::#variants => #wire,)* Self::Unknown(raw) => raw }
                }

                /// The variant of a wire value; [`Self::Unknown`] for one the spec does not list.
                pub fn from_wire(value: &str) -> Self {
                    match value { #(#wire => Self::#variants,)* other => Self::Unknown(other.to_owned()) }
                }
            }

            impl serde::Serialize for #type_name {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }

            impl<'de> serde::Deserialize<'de> for #type_name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    let value = String::deserialize(deserializer)?;
                    Ok(Self::from_wire(&value))
                }
            }
        }
    } else {
        let numbers: Vec<i64> = values.iter().filter_map(Value::as_i64).collect();
        let variant_docs = numbers.iter().map(|n| format!(" `{n}`"));
        quote! {
            #doc
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum #type_name {
                #(
                    #[doc = #variant_docs]
                    #variants,
                )*
                /// A value the spec does not list, as received.
                Unknown(i64),
            }

            impl #type_name {
                /// The value as sent on the wire.
                pub const fn value(self) -> i64 {
                    match self { #(Self::#variants => #numbers,)* Self::Unknown(raw) => raw }
                }

                /// The variant of a wire value; [`Self::Unknown`] for one the spec does not list.
                pub const fn from_value(value: i64) -> Self {
                    match value { #(#numbers => Self::#variants,)* other => Self::Unknown(other) }
                }
            }

            impl serde::Serialize for #type_name {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.serialize_i64(self.value())
                }
            }

            impl<'de> serde::Deserialize<'de> for #type_name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    i64::deserialize(deserializer).map(Self::from_value)
                }
            }
        }
    }
}

/// Variant names: strings by their spelling (PascalCase when ASCII, as they are otherwise);
/// integers by the word after the value in the description (`0 = save` → `Save`, `-1 已删除`
/// → `已删除`); `V<n>` / `Minus<n>` when that gives nothing usable or unique.
fn variant_names(values: &[Value], description: &str) -> Vec<String> {
    let words: Vec<&str> = description.split_whitespace().collect();
    let names: Vec<Option<String>> = values
        .iter()
        .map(|value| match value {
            Value::String(text) => variant_from_word(text),
            Value::Number(number) => {
                let spelled = number.to_string();
                words
                    .iter()
                    .position(|word| word.trim_matches(|c: char| ",;:(".contains(c)) == spelled)
                    .and_then(|at| {
                        words[at + 1..]
                            .iter()
                            .find(|word| **word != "=")
                            .and_then(|word| variant_from_word(word))
                    })
            }
            _ => None,
        })
        .collect();
    let unique: BTreeSet<&String> = names.iter().flatten().collect();
    if names.iter().all(Option::is_some) && unique.len() == names.len() {
        names.into_iter().flatten().collect()
    } else {
        values
            .iter()
            .enumerate()
            .map(|(at, value)| match value.as_i64() {
                Some(n) if n < 0 => format!("Minus{}", n.unsigned_abs()),
                Some(n) => format!("V{n}"),
                None => format!("V{at}"),
            })
            .collect()
    }
}

fn variant_from_word(word: &str) -> Option<String> {
    let cleaned: String = word
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    let name = pascal_case(&cleaned);
    is_identifier(&name).then_some(name)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::variant_names;

    #[test]
    fn integer_variants_take_the_word_after_the_value() {
        let names = variant_names(
            &[json!(0), json!(1)],
            "0 = save (待修改), 1 = submit (提交).",
        );
        assert_eq!(names, ["Save", "Submit"]);
        let names = variant_names(
            &[json!(-1), json!(0)],
            "Status: -1 已删除 (x), 0 待修改 (y)",
        );
        assert_eq!(names, ["已删除", "待修改"]);
        let names = variant_names(&[json!(1), json!(2)], "no words here");
        assert_eq!(names, ["V1", "V2"]);
    }
}
