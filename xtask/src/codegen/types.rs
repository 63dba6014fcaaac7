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

    fn component_item(&mut self, name: &str, schema: &Value) -> TokenStream {
        let doc = docs(str_of(schema, "description"));
        match self.spec.shape(schema) {
            Shape::Object => self.struct_item(name, schema),
            Shape::Enum(values) => enum_item(name, &values, str_of(schema, "description")),
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
            let is_required = required.contains(&wire.as_str());
            let base = self.shape_type(&shape, &property, &hint);
            let field_name = snake_case(&wire);
            let field = ident(&field_name);
            let rename = (field_name != wire).then(|| quote!(#[serde(rename = #wire)]));
            let description = match str_of(&property, "description") {
                "" => str_of(self.spec.resolve(&property), "description").to_owned(),
                own => own.to_owned(),
            };
            let field_doc = docs(&description);
            let (ty, attrs) = match (is_required, nullable) {
                (true, _) => {
                    all_optional = false;
                    (base, quote!())
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
        }
        let name = ident(name);
        let default = all_optional.then(|| quote!(Default,));
        if multipart {
            quote! {
                #doc
                #[derive(Debug, Clone, PartialEq)]
                pub struct #name { #(#fields)* }
            }
        } else {
            quote! {
                #doc
                #[derive(Debug, Clone, PartialEq, #default serde::Serialize, serde::Deserialize)]
                pub struct #name { #(#fields)* }
            }
        }
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

/// An enum of strings (serde renames) or integers (hand-rolled serde as a number).
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
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
            pub enum #type_name {
                #(
                    #[doc = #variant_docs]
                    #[serde(rename = #wire)]
                    #variants,
                )*
            }

            impl #type_name {
                /// The value as sent on the wire.
                pub const fn as_str(self) -> &'static str {
                    match self { #(Self::#variants => #wire,)* }
                }
            }
        }
    } else {
        let numbers: Vec<i64> = values.iter().filter_map(Value::as_i64).collect();
        let variant_docs = numbers.iter().map(|n| format!(" `{n}`"));
        let expecting = format!("one of the {name} values");
        quote! {
            #doc
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub enum #type_name {
                #(
                    #[doc = #variant_docs]
                    #variants,
                )*
            }

            impl #type_name {
                /// The value as sent on the wire.
                pub const fn value(self) -> i64 {
                    match self { #(Self::#variants => #numbers,)* }
                }

                /// The variant of a wire value, if it is one.
                pub const fn from_value(value: i64) -> Option<Self> {
                    match value { #(#numbers => Some(Self::#variants),)* _ => None }
                }
            }

            impl serde::Serialize for #type_name {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.serialize_i64(self.value())
                }
            }

            impl<'de> serde::Deserialize<'de> for #type_name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    let value = i64::deserialize(deserializer)?;
                    Self::from_value(value).ok_or_else(|| {
                        serde::de::Error::invalid_value(serde::de::Unexpected::Signed(value), &#expecting)
                    })
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
