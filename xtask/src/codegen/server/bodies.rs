//! The JSON request bodies of the procurement server: one struct per component schema an
//! operation's `application/json` request body names (and per component its arrays hold), read
//! member by member from the JSON object sent, so that the documented answers come from the
//! schema: a required member absent or `null`, or blank when the schema refuses the empty
//! string, is 11 参数缺失; a member of the wrong JSON type, or breaking `minLength`,
//! `maxLength`, `minimum`, `minItems` (an empty required array is blank, so 11) or `maxItems`,
//! is 12 参数错误; any 11 wins over any 12, whatever the order of the members.
//!
//! Strings are kept as sent. Patterns, enums and formats stay with the handler and the domain,
//! as for query parameters: what a malformed value answers, and whether it is trimmed first,
//! depends on the type (a role name is matched trimmed; an update's order id must be 8 to 32
//! digits).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::super::naming::{docs, ident, pascal_case, snake_case};
use super::super::spec::{Operation, Spec, is_json};

/// Every body struct, the per-operation aliases (`CreateOrderBody`), in spec order.
pub fn items(spec: &Spec, ops: &[Operation<'_>]) -> anyhow::Result<TokenStream> {
    let mut aliases = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    for op in ops {
        let Some(body) = &op.body else { continue };
        let Some((_, content)) = body.media.iter().find(|(media, _)| is_json(media)) else {
            continue;
        };
        let schema = content.get("schema").unwrap_or(&Value::Null);
        let Some(component) = component_name(schema) else {
            anyhow::bail!(
                "{}: a JSON request body must name a component schema",
                op.id
            );
        };
        let alias = format_ident!("{}Body", pascal_case(&op.id));
        let target = format_ident!("{component}");
        let doc = format!(" The JSON request body of `{}`: [`{component}`].", op.id);
        aliases.push(quote! {
            #[doc = #doc]
            pub type #alias = #target;
        });
        if !pending.contains(&component) {
            pending.push(component);
        }
    }
    let mut structs = Vec::new();
    let mut done: Vec<String> = Vec::new();
    while let Some(name) = pending.first().cloned() {
        pending.remove(0);
        if done.contains(&name) {
            continue;
        }
        let (item, nested) = body_struct(spec, &name)?;
        structs.push(item);
        done.push(name);
        for nested in nested {
            if !done.contains(&nested) && !pending.contains(&nested) {
                pending.push(nested);
            }
        }
    }
    Ok(quote! {
        /// A JSON object request body as its generated type, read member by member
        /// (`extract::BodyOf<CreateOrderBody>`).
        ///
        /// What is checked here is what the schema states for every member alike: presence
        /// (absent or `null`, or blank when the schema refuses the empty string:
        /// [`ParamError::Missing`]), the JSON type, `minLength` and `maxLength` (characters as
        /// sent), `minimum`, `minItems` (an empty required array is blank) and `maxItems`
        /// ([`ParamError::Invalid`]). Every member is read before the verdict, so a missing
        /// member answers 11 whatever else is malformed. Strings are kept as sent (not trimmed);
        /// patterns, enums and formats are the handler's and the domain's.
        pub trait FromJsonBody: Sized {
            /// Reads the members of `map`, noting every refusal in `verdict`; `None` when one
            /// was refused.
            fn read(map: &Map<String, Value>, verdict: &mut Verdict) -> Option<Self>;

            /// The body, or its verdict: 11 if any member is missing, else 12.
            fn from_json(body: &Map<String, Value>) -> Result<Self, ParamError> {
                let mut verdict = Verdict::default();
                let value = Self::read(body, &mut verdict);
                verdict.finish(value)
            }
        }

        /// The refusals met while reading a body: any missing member (11) wins over any
        /// malformed one (12).
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct Verdict {
            missing: bool,
            invalid: bool,
        }

        impl Verdict {
            fn take<T>(&mut self, result: Result<T, ParamError>) -> Option<T> {
                match result {
                    Ok(value) => Some(value),
                    Err(ParamError::Missing) => {
                        self.missing = true;
                        None
                    }
                    Err(ParamError::Invalid) => {
                        self.invalid = true;
                        None
                    }
                }
            }

            fn finish<T>(self, value: Option<T>) -> Result<T, ParamError> {
                if self.missing {
                    Err(ParamError::Missing)
                } else if self.invalid {
                    Err(ParamError::Invalid)
                } else {
                    value.ok_or(ParamError::Invalid)
                }
            }
        }

        fn too_short(value: &str, min: Option<usize>) -> bool {
            min.is_some_and(|min| value.chars().count() < min)
        }

        /// A required string member.
        fn text(
            value: Option<&Value>,
            blank_is_missing: bool,
            min: Option<usize>,
            max: Option<usize>,
        ) -> Result<String, ParamError> {
            match value {
                None | Some(Value::Null) => Err(ParamError::Missing),
                Some(Value::String(text)) if blank_is_missing && text.trim().is_empty() => {
                    Err(ParamError::Missing)
                }
                Some(Value::String(text)) if too_short(text, min) || too_long(text, max) => {
                    Err(ParamError::Invalid)
                }
                Some(Value::String(text)) => Ok(text.clone()),
                Some(_) => Err(ParamError::Invalid),
            }
        }

        /// A required number member.
        fn number(value: Option<&Value>, minimum: Option<f64>) -> Result<f64, ParamError> {
            match value {
                None | Some(Value::Null) => Err(ParamError::Missing),
                Some(Value::Number(number)) => number
                    .as_f64()
                    .filter(|value| minimum.is_none_or(|minimum| *value >= minimum))
                    .ok_or(ParamError::Invalid),
                Some(_) => Err(ParamError::Invalid),
            }
        }

        /// A required integer member (`6` and `6.0` alike, as JSON Schema counts them).
        fn integer(value: Option<&Value>, minimum: Option<i64>) -> Result<i64, ParamError> {
            match value {
                None | Some(Value::Null) => Err(ParamError::Missing),
                Some(Value::Number(number)) => crate::json::integer(number)
                    .filter(|value| minimum.is_none_or(|minimum| *value >= minimum))
                    .ok_or(ParamError::Invalid),
                Some(_) => Err(ParamError::Invalid),
            }
        }

        /// An optional member: absent is `None`, so is `null` when the schema admits it
        /// (otherwise `null` is malformed); anything else is read as if it were required.
        fn optional_member<T>(
            value: Option<&Value>,
            nullable: bool,
            read: impl FnOnce(Option<&Value>) -> Result<T, ParamError>,
        ) -> Result<Option<T>, ParamError> {
            match value {
                None => Ok(None),
                Some(Value::Null) if nullable => Ok(None),
                Some(Value::Null) => Err(ParamError::Invalid),
                value => read(value).map(Some),
            }
        }

        /// A required array of objects; its items are read only when their number is allowed.
        fn list<T: FromJsonBody>(
            value: Option<&Value>,
            min_items: usize,
            max_items: Option<usize>,
            verdict: &mut Verdict,
        ) -> Option<Vec<T>> {
            let items = match value {
                None | Some(Value::Null) => return verdict.take(Err(ParamError::Missing)),
                Some(Value::Array(items)) if items.is_empty() && min_items > 0 => {
                    return verdict.take(Err(ParamError::Missing));
                }
                Some(Value::Array(items))
                    if items.len() < min_items
                        || max_items.is_some_and(|max| items.len() > max) =>
                {
                    return verdict.take(Err(ParamError::Invalid));
                }
                Some(Value::Array(items)) => items,
                Some(_) => return verdict.take(Err(ParamError::Invalid)),
            };
            let read: Vec<Option<T>> = items
                .iter()
                .map(|item| match item.as_object() {
                    Some(map) => T::read(map, verdict),
                    None => verdict.take(Err(ParamError::Invalid)),
                })
                .collect();
            read.into_iter().collect()
        }

        #(#aliases)*
        #(#structs)*
    })
}

/// The component a `$ref` names.
fn component_name(schema: &Value) -> Option<String> {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|reference| reference.strip_prefix("#/components/schemas/"))
        .map(str::to_owned)
}

/// The JSON types a schema admits (`type: string` or `type: [string, 'null']`).
fn types_of(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(kind)) => vec![kind.as_str()],
        Some(Value::Array(kinds)) => kinds.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn usize_of(schema: &Value, key: &str) -> Option<usize> {
    schema
        .get(key)
        .and_then(Value::as_u64)
        .map(|value| usize::try_from(value).unwrap_or(usize::MAX))
}

fn option_tokens<T: quote::ToTokens>(value: Option<T>) -> TokenStream {
    match value {
        Some(value) => quote!(Some(#value)),
        None => quote!(None),
    }
}

/// Whether a string schema refuses the empty string (then a blank member is missing).
fn refuses_empty(schema: &Value) -> anyhow::Result<bool> {
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(schema)
        .map_err(|error| anyhow::anyhow!("a body member's schema does not compile: {error}"))?;
    Ok(!validator.is_valid(&Value::String(String::new())))
}

/// One body struct and the components its members name.
fn body_struct(spec: &Spec, name: &str) -> anyhow::Result<(TokenStream, Vec<String>)> {
    let schema = spec
        .component(name)
        .ok_or_else(|| anyhow::anyhow!("no component schema {name}"))?;
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .ok_or_else(|| anyhow::anyhow!("{name}: a request body needs properties"))?;
    let mut nested = Vec::new();
    let mut fields = Vec::new();
    let mut reads = Vec::new();
    let mut inits = Vec::new();
    for (wire, property) in properties {
        let field = ident(&snake_case(wire));
        let is_required = required.contains(&wire.as_str());
        let resolved = spec.resolve(property);
        let types = types_of(resolved);
        let nullable = types.contains(&"null");
        let kind = types.iter().copied().find(|kind| *kind != "null");
        let mut rules = Vec::new();
        let (ty, read) = match kind {
            Some("string") => {
                let min = usize_of(resolved, "minLength");
                let max = usize_of(resolved, "maxLength");
                let blank_is_missing = refuses_empty(resolved)?;
                if let Some(min) = min.filter(|min| *min > 1) {
                    rules.push(format!("at least {min} characters"));
                }
                if let Some(max) = max {
                    rules.push(format!("at most {max} characters"));
                }
                let (min, max) = (option_tokens(min), option_tokens(max));
                if is_required {
                    if blank_is_missing {
                        rules.insert(0, "blank is missing".to_owned());
                    }
                    (
                        quote!(String),
                        quote!(text(map.get(#wire), #blank_is_missing, #min, #max)),
                    )
                } else {
                    (
                        quote!(Option<String>),
                        quote!(optional_member(map.get(#wire), #nullable, |value| {
                            text(value, false, #min, #max)
                        })),
                    )
                }
            }
            Some("number") => {
                let minimum = resolved.get("minimum").and_then(Value::as_f64);
                if let Some(minimum) = minimum {
                    rules.push(format!("at least {minimum}"));
                }
                let minimum = option_tokens(minimum);
                if is_required {
                    (quote!(f64), quote!(number(map.get(#wire), #minimum)))
                } else {
                    (
                        quote!(Option<f64>),
                        quote!(optional_member(map.get(#wire), #nullable, |value| {
                            number(value, #minimum)
                        })),
                    )
                }
            }
            Some("integer") => {
                let minimum = resolved.get("minimum").and_then(Value::as_i64);
                if let Some(minimum) = minimum {
                    rules.push(format!("at least {minimum}"));
                }
                let minimum = option_tokens(minimum);
                if is_required {
                    (quote!(i64), quote!(integer(map.get(#wire), #minimum)))
                } else {
                    (
                        quote!(Option<i64>),
                        quote!(optional_member(map.get(#wire), #nullable, |value| {
                            integer(value, #minimum)
                        })),
                    )
                }
            }
            Some("array") if is_required => {
                let items = resolved.get("items").unwrap_or(&Value::Null);
                let Some(item) = component_name(items) else {
                    anyhow::bail!("{name}.{wire}: array items must name a component schema");
                };
                let min_items = usize_of(resolved, "minItems").unwrap_or(0);
                let max_items = usize_of(resolved, "maxItems");
                if min_items > 0 {
                    rules.push(format!("at least {min_items} item(s), empty is missing"));
                }
                if let Some(max) = max_items {
                    rules.push(format!("at most {max} items"));
                }
                let item_ident = format_ident!("{item}");
                nested.push(item);
                let max_items = option_tokens(max_items);
                fields.push((
                    field.clone(),
                    quote!(Vec<#item_ident>),
                    property,
                    wire,
                    is_required,
                    rules,
                ));
                reads.push(quote! {
                    let #field = list::<#item_ident>(map.get(#wire), #min_items, #max_items, verdict);
                });
                inits.push(quote!(#field: #field?,));
                continue;
            }
            other => {
                anyhow::bail!("{name}.{wire}: a body member of type {other:?} is not generated yet")
            }
        };
        fields.push((field.clone(), ty, property, wire, is_required, rules));
        reads.push(quote!(let #field = verdict.take(#read);));
        inits.push(quote!(#field: #field?,));
    }
    let field_items = fields
        .iter()
        .map(|(field, ty, property, wire, is_required, rules)| {
            let description = property
                .get("description")
                .or_else(|| spec.resolve(property).get("description"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .trim()
                .to_owned();
            let mut doc = format!("`{wire}`: {description}");
            doc.push_str(if *is_required {
                " Required"
            } else {
                " Optional"
            });
            if rules.is_empty() {
                doc.push('.');
            } else {
                doc.push_str(&format!("; {}.", rules.join(", ")));
            }
            let doc = docs(&doc);
            quote!(#doc pub #field: #ty,)
        });
    let description = schema
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim();
    let doc = docs(&format!("`{name}`: {description}"));
    let ident = format_ident!("{name}");
    let item = quote! {
        #doc
        #[derive(Clone, Debug, PartialEq)]
        pub struct #ident {
            #(#field_items)*
        }

        impl FromJsonBody for #ident {
            fn read(map: &Map<String, Value>, verdict: &mut Verdict) -> Option<Self> {
                #(#reads)*
                Some(Self {
                    #(#inits)*
                })
            }
        }
    };
    Ok((item, nested))
}
