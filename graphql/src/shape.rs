//! The shape guard: refuses a query by its shape before async-graphql parses, validates or
//! prices it.
//!
//! async-graphql's depth, complexity and validation passes inline every fragment spread, so a
//! few hundred bytes of nested spreads cost them exponential time before any limit refuses the
//! query. [`check_shape`] bounds the text first (bytes, then tokens and nesting, with one cheap
//! lexer pass), and only then parses it and measures what it would be once its fragments are
//! inlined, each fragment measured once: whatever passes costs async-graphql a bounded amount
//! of work, and whatever does not costs the guard about as much as reading the text.

use std::collections::HashMap;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Field, Selection, SelectionSet,
};
use async_graphql::{Positioned, Value};

use cpts_domain::texts::{t, t_args};
use cpts_domain::values::Lang;

use crate::errors::{coded, codes};

/// The largest query text accepted, in bytes (variables are not counted: they are bounded by
/// the request body's limit and checked by the inputs).
pub const MAX_QUERY_BYTES: usize = 16 * 1024;
/// The most lexical tokens a query may have.
pub const MAX_TOKENS: usize = 2_000;
/// The deepest nesting of `{`, `[` and `(` in the text.
pub const MAX_NESTING: usize = 32;
/// The most operations a document may hold.
pub const MAX_OPERATIONS: usize = 8;
/// The most fragments a document may define.
pub const MAX_FRAGMENTS: usize = 32;
/// The longest chain of fragment spreads (a fragment spreading a fragment spreading …).
pub const MAX_SPREAD_DEPTH: usize = 6;
/// The most fields an operation may select once its fragments are inlined.
pub const MAX_EXPANDED_FIELDS: usize = 500;
/// The most aliases, once fragments are inlined.
pub const MAX_ALIASES: usize = 30;
/// The most directives, once fragments are inlined.
pub const MAX_DIRECTIVES: usize = 20;
/// The most arguments one field may take.
pub const MAX_ARGUMENTS: usize = 16;
/// The most items a list written in the query may hold.
pub const MAX_LIST_ITEMS: usize = 100;
/// The most fields that read the whole log (`report`, `verifyLedger`) an operation may ask for.
pub const MAX_WHOLE_LOG_READS: usize = 1;

/// The root fields that read and decrypt the whole log.
const WHOLE_LOG_FIELDS: &[&str] = &["report", "verifyLedger"];

/// Why a query was refused by its shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    /// The text is longer than [`MAX_QUERY_BYTES`].
    #[error("the query is {0} bytes long")]
    TooLong(usize),
    /// More than [`MAX_TOKENS`] tokens.
    #[error("the query has more than {MAX_TOKENS} tokens")]
    TooManyTokens,
    /// Brackets nested deeper than [`MAX_NESTING`].
    #[error("the query nests brackets more than {MAX_NESTING} deep")]
    TooNested,
    /// The text is not a GraphQL document.
    #[error("the query does not parse: {0}")]
    Syntax(String),
    /// More than [`MAX_OPERATIONS`] operations.
    #[error("the document has {0} operations")]
    TooManyOperations(usize),
    /// More than [`MAX_FRAGMENTS`] fragments.
    #[error("the document defines {0} fragments")]
    TooManyFragments(usize),
    /// A fragment spreads itself, directly or through others.
    #[error("the fragment {0} spreads itself")]
    FragmentCycle(String),
    /// Fragment spreads chained deeper than [`MAX_SPREAD_DEPTH`].
    #[error("fragment spreads are chained more than {MAX_SPREAD_DEPTH} deep")]
    SpreadsTooDeep,
    /// More than [`MAX_EXPANDED_FIELDS`] fields once fragments are inlined.
    #[error(
        "the query selects more than {MAX_EXPANDED_FIELDS} fields once its fragments are inlined"
    )]
    TooManyFields,
    /// More than [`MAX_ALIASES`] aliases.
    #[error("the query has more than {MAX_ALIASES} aliases")]
    TooManyAliases,
    /// More than [`MAX_DIRECTIVES`] directives.
    #[error("the query has more than {MAX_DIRECTIVES} directives")]
    TooManyDirectives,
    /// A field with more than [`MAX_ARGUMENTS`] arguments.
    #[error("a field takes more than {MAX_ARGUMENTS} arguments")]
    TooManyArguments,
    /// A list value with more than [`MAX_LIST_ITEMS`] items.
    #[error("a list in the query has more than {MAX_LIST_ITEMS} items")]
    ListTooLong,
    /// More than [`MAX_WHOLE_LOG_READS`] `report` or `verifyLedger`, aliases included.
    #[error("the operation asks for `report` or `verifyLedger` more than once")]
    TooManyWholeLogReads,
}

impl ShapeError {
    /// The refusal in a language, from the text catalogue.
    pub fn message(&self, lang: Lang) -> String {
        let most = |key, most: usize| t_args(lang, key, &[("most", most.into())]);
        match self {
            ShapeError::TooLong(bytes) => t_args(
                lang,
                "api-query-too-long",
                &[("bytes", (*bytes).into()), ("most", MAX_QUERY_BYTES.into())],
            ),
            ShapeError::TooManyTokens => most("api-query-too-many-tokens", MAX_TOKENS),
            ShapeError::TooNested => most("api-query-too-nested", MAX_NESTING),
            ShapeError::Syntax(detail) => {
                t_args(lang, "api-query-syntax", &[("detail", detail.into())])
            }
            ShapeError::TooManyOperations(n) => t_args(
                lang,
                "api-query-too-many-operations",
                &[("count", (*n).into()), ("most", MAX_OPERATIONS.into())],
            ),
            ShapeError::TooManyFragments(n) => t_args(
                lang,
                "api-query-too-many-fragments",
                &[("count", (*n).into()), ("most", MAX_FRAGMENTS.into())],
            ),
            ShapeError::FragmentCycle(name) => {
                t_args(lang, "api-query-fragment-cycle", &[("name", name.into())])
            }
            ShapeError::SpreadsTooDeep => most("api-query-spreads-too-deep", MAX_SPREAD_DEPTH),
            ShapeError::TooManyFields => most("api-query-too-many-fields", MAX_EXPANDED_FIELDS),
            ShapeError::TooManyAliases => most("api-query-too-many-aliases", MAX_ALIASES),
            ShapeError::TooManyDirectives => most("api-query-too-many-directives", MAX_DIRECTIVES),
            ShapeError::TooManyArguments => most("api-query-too-many-arguments", MAX_ARGUMENTS),
            ShapeError::ListTooLong => most("api-query-list-too-long", MAX_LIST_ITEMS),
            ShapeError::TooManyWholeLogReads => t(lang, "api-query-whole-log-reads").to_owned(),
        }
    }

    /// The refusal in French.
    pub fn french(&self) -> String {
        self.message(Lang::Fr)
    }

    /// The refusal in English.
    pub fn english(&self) -> String {
        self.message(Lang::En)
    }

    /// The refusal as a GraphQL error, coded [`codes::QUERY_LIMIT`].
    pub fn into_error(self) -> async_graphql::Error {
        coded(codes::QUERY_LIMIT, self.french(), self.english())
    }
}

/// Checks a query's shape against the limits above; cheap whatever the text.
pub fn check_shape(query: &str) -> Result<(), ShapeError> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(ShapeError::TooLong(query.len()));
    }
    scan(query)?;
    let document =
        async_graphql::parser::parse_query(query).map_err(|e| ShapeError::Syntax(e.to_string()))?;
    measure(&document)
}

/// One lexer pass: counts tokens and the nesting of brackets, without building anything.
fn scan(query: &str) -> Result<(), ShapeError> {
    let bytes = query.as_bytes();
    let (mut i, mut tokens, mut nesting) = (0, 0usize, 0usize);
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 3;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'{' | b'[' | b'(' => {
                nesting += 1;
                if nesting > MAX_NESTING {
                    return Err(ShapeError::TooNested);
                }
                i += 1;
            }
            b'}' | b']' | b')' => {
                nesting = nesting.saturating_sub(1);
                i += 1;
            }
            b'.' if bytes[i..].starts_with(b"...") => i += 3,
            _ if b.is_ascii_alphabetic() || b == b'_' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
            }
            _ if b.is_ascii_digit() || b == b'-' => {
                i += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_digit()
                        || matches!(bytes[i], b'.' | b'e' | b'E' | b'+' | b'-'))
                {
                    i += 1;
                }
            }
            _ => i += 1,
        }
        tokens += 1;
        if tokens > MAX_TOKENS {
            return Err(ShapeError::TooManyTokens);
        }
    }
    Ok(())
}

/// What a selection set amounts to once its fragments are inlined.
#[derive(Debug, Clone, Copy, Default)]
struct Size {
    fields: usize,
    aliases: usize,
    directives: usize,
    /// `report` and `verifyLedger` at this level (meaningful at the root).
    whole_log_reads: usize,
    /// The longest chain of fragment spreads below.
    spread_depth: usize,
}

impl Size {
    fn add(&mut self, other: Size) {
        self.fields = self.fields.saturating_add(other.fields);
        self.aliases = self.aliases.saturating_add(other.aliases);
        self.directives = self.directives.saturating_add(other.directives);
        self.whole_log_reads = self.whole_log_reads.saturating_add(other.whole_log_reads);
        self.spread_depth = self.spread_depth.max(other.spread_depth);
    }

    fn check(&self) -> Result<(), ShapeError> {
        if self.whole_log_reads > MAX_WHOLE_LOG_READS {
            Err(ShapeError::TooManyWholeLogReads)
        } else if self.spread_depth > MAX_SPREAD_DEPTH {
            Err(ShapeError::SpreadsTooDeep)
        } else if self.fields > MAX_EXPANDED_FIELDS {
            Err(ShapeError::TooManyFields)
        } else if self.aliases > MAX_ALIASES {
            Err(ShapeError::TooManyAliases)
        } else if self.directives > MAX_DIRECTIVES {
            Err(ShapeError::TooManyDirectives)
        } else {
            Ok(())
        }
    }
}

/// Where a fragment stands in the measuring walk.
enum Memo {
    /// Being measured: meeting it again is a cycle.
    InProgress,
    /// Measured.
    Done(Size),
}

struct Measure<'a> {
    document: &'a ExecutableDocument,
    memo: HashMap<&'a str, Memo>,
}

impl<'a> Measure<'a> {
    fn selection_set(&mut self, set: &'a Positioned<SelectionSet>) -> Result<Size, ShapeError> {
        let mut size = Size::default();
        for selection in &set.node.items {
            size.directives = size
                .directives
                .saturating_add(selection.node.directives().len());
            match &selection.node {
                Selection::Field(field) => size.add(self.field(&field.node)?),
                Selection::InlineFragment(inline) => {
                    size.add(self.selection_set(&inline.node.selection_set)?);
                }
                Selection::FragmentSpread(spread) => {
                    let mut spread_size = self.fragment(&spread.node.fragment_name.node)?;
                    spread_size.spread_depth += 1;
                    size.add(spread_size);
                }
            }
            // Counts only grow: refusing as soon as one is over keeps the walk short.
            size.check()?;
        }
        Ok(size)
    }

    fn field(&mut self, field: &'a Field) -> Result<Size, ShapeError> {
        if field.arguments.len() > MAX_ARGUMENTS {
            return Err(ShapeError::TooManyArguments);
        }
        for (_, value) in &field.arguments {
            // Variables stand for values the inputs check; here only the written lists count.
            let written = value
                .node
                .clone()
                .into_const_with(|_| Ok::<_, ()>(Value::Null))
                .unwrap_or_default();
            check_value(&written)?;
        }
        let below = self.selection_set(&field.selection_set)?;
        let name = field.name.node.as_str();
        Ok(Size {
            fields: below.fields.saturating_add(1),
            aliases: below
                .aliases
                .saturating_add(usize::from(field.alias.is_some())),
            directives: below.directives,
            whole_log_reads: usize::from(WHOLE_LOG_FIELDS.contains(&name)),
            spread_depth: below.spread_depth,
        })
    }

    fn fragment(&mut self, name: &'a str) -> Result<Size, ShapeError> {
        match self.memo.get(name) {
            Some(Memo::Done(size)) => return Ok(*size),
            Some(Memo::InProgress) => return Err(ShapeError::FragmentCycle(name.to_owned())),
            None => {}
        }
        let document = self.document;
        // An unknown fragment is left to validation, which names it.
        let Some((key, fragment)) = document.fragments.get_key_value(name) else {
            return Ok(Size::default());
        };
        self.memo.insert(key.as_str(), Memo::InProgress);
        let mut size = self.selection_set(&fragment.node.selection_set)?;
        size.directives = size
            .directives
            .saturating_add(fragment.node.directives.len());
        self.memo.insert(key.as_str(), Memo::Done(size));
        Ok(size)
    }
}

fn check_value(value: &Value) -> Result<(), ShapeError> {
    match value {
        Value::List(items) => {
            if items.len() > MAX_LIST_ITEMS {
                return Err(ShapeError::ListTooLong);
            }
            items.iter().try_for_each(check_value)
        }
        Value::Object(fields) => fields.values().try_for_each(check_value),
        _ => Ok(()),
    }
}

fn measure(document: &ExecutableDocument) -> Result<(), ShapeError> {
    let operations: Vec<_> = match &document.operations {
        DocumentOperations::Single(operation) => vec![operation],
        DocumentOperations::Multiple(map) => map.values().collect(),
    };
    if operations.len() > MAX_OPERATIONS {
        return Err(ShapeError::TooManyOperations(operations.len()));
    }
    if document.fragments.len() > MAX_FRAGMENTS {
        return Err(ShapeError::TooManyFragments(document.fragments.len()));
    }
    let mut walk = Measure {
        document,
        memo: HashMap::new(),
    };
    let mut total = Size::default();
    for operation in operations {
        let mut size = walk.selection_set(&operation.node.selection_set)?;
        size.directives = size
            .directives
            .saturating_add(operation.node.directives.len());
        for variable in &operation.node.variable_definitions {
            if let Some(default) = &variable.node.default_value {
                check_value(&default.node)?;
            }
        }
        // Each operation may read the log once; only one of them runs.
        size.whole_log_reads = 0;
        total.add(size);
        total.check()?;
    }
    // Fragments no operation spreads are measured too: validation walks them as well.
    for name in document.fragments.keys() {
        walk.fragment(name.as_str())?;
    }
    Ok(())
}

/// The introspection query GraphiQL sends (graphql-js `getIntrospectionQuery`, with every
/// option on): the guard must let it through, or GraphiQL cannot read the schema.
pub const INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    description
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description isRepeatable locations args(includeDeprecated: true) { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description specifiedByURL
  fields(includeDeprecated: true) { name description args(includeDeprecated: true) { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue {
  name description type { ...TypeRef } defaultValue isDeprecated deprecationReason
}
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    /// Each level spreads the one below `fan` times: the expanded query doubles per level.
    fn nested_fragments(levels: usize, fan: usize) -> String {
        let mut query = String::from("{ ...F0 }\nfragment F0 on Query { ...F1 }\n");
        for level in 1..levels {
            let spreads = (0..fan)
                .map(|_| format!("...F{}", level + 1))
                .collect::<Vec<_>>()
                .join(" ");
            query.push_str(&format!("fragment F{level} on Query {{ {spreads} }}\n"));
        }
        query.push_str(&format!(
            "fragment F{levels} on Query {{ rungs {{ label }} }}\n"
        ));
        query
    }

    #[test]
    fn the_clients_queries_pass() {
        for query in [
            "{ ledgerHead { position hash projections { name position behind } } }",
            "query($d: String) { verifyLedger(digest: $d) { intact eventsChecked digest } }",
            "query($id: ID!) { decision(id: $id) { id trail { entries { text } } milestones { milestone } } }",
            INTROSPECTION,
        ] {
            assert_eq!(check_shape(query), Ok(()), "{query}");
        }
    }

    #[test]
    fn nested_fragment_spreads_are_refused_without_expanding_them() {
        let refused = check_shape(&nested_fragments(5, 8));
        assert_eq!(refused, Err(ShapeError::TooManyFields));
        assert_eq!(
            check_shape(&nested_fragments(20, 2)),
            Err(ShapeError::SpreadsTooDeep)
        );
        assert_eq!(check_shape(&nested_fragments(3, 2)), Ok(()));
    }

    #[test]
    fn a_fragment_that_spreads_itself_is_refused() {
        let query = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }";
        assert!(matches!(
            check_shape(query),
            Err(ShapeError::FragmentCycle(_))
        ));
    }

    #[test]
    fn a_second_report_is_refused_even_under_an_alias_or_in_a_fragment() {
        let one = "{ report(asOf: \"2026-12-31\") }";
        assert_eq!(check_shape(one), Ok(()));
        let two = "{ a: report(asOf: \"2026-12-31\") ...R } fragment R on Query { verifyLedger { intact } }";
        assert_eq!(check_shape(two), Err(ShapeError::TooManyWholeLogReads));
    }

    #[test]
    fn long_texts_tokens_nesting_lists_and_arguments_are_refused() {
        assert!(matches!(
            check_shape(&"{ rungs { label } }".repeat(2_000)),
            Err(ShapeError::TooLong(_))
        ));
        assert_eq!(
            check_shape(&format!("{{ {} }}", "a ".repeat(3_000))),
            Err(ShapeError::TooManyTokens)
        );
        assert_eq!(
            check_shape(&format!(
                "{{ f(a: {}1{}) }}",
                "[".repeat(40),
                "]".repeat(40)
            )),
            Err(ShapeError::TooNested)
        );
        let list = (0..150)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(
            check_shape(&format!("{{ f(a: [{list}]) }}")),
            Err(ShapeError::ListTooLong)
        );
        let arguments = (0..20)
            .map(|i| format!("a{i}: 1"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(
            check_shape(&format!("{{ f({arguments}) }}")),
            Err(ShapeError::TooManyArguments)
        );
        let aliases = (0..40)
            .map(|i| format!("a{i}: rungs {{ label }}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(
            check_shape(&format!("{{ {aliases} }}")),
            Err(ShapeError::TooManyAliases)
        );
        let directives = (0..30)
            .map(|i| format!("f{i} @include(if: true)"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(
            check_shape(&format!("{{ {directives} }}")),
            Err(ShapeError::TooManyDirectives)
        );
        let operations = (0..10)
            .map(|i| format!("query Q{i} {{ rungs {{ label }} }}"))
            .collect::<String>();
        assert_eq!(
            check_shape(&operations),
            Err(ShapeError::TooManyOperations(10))
        );
    }

    #[test]
    fn every_refusal_speaks_french_and_english() {
        let error = ShapeError::TooManyAliases;
        assert!(error.french().contains("alias"));
        assert!(error.english().starts_with("The query has more than"));
        assert!(error.english().ends_with('.'));
    }
}
