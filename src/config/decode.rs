//! From TOML text to [`AppConfig`]: the span-carrying document tree (toml-spanner's `Item`s) is walked by hand so that
//! every value keeps its position, flyctl's legacy shapes are normalised (flyctl-behaviour.md §A.3), and a wrong
//! value costs one diagnostic instead of the whole file (flyctl drops everything but `app` on any decode error).
//!
//! Unknown keys are kept in the model's `extra` and reported as warnings with a did-you-mean.

use std::collections::BTreeMap;

use serde_json::{Map, Number, Value};
use toml_spanner::{Item, Table};

use super::model::*;
use crate::diagnostics::{Diagnostic, Span};
use crate::duration::GoDuration;

/// What integers mean where a duration is expected (flyctl patches some places and not others).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IntUnit {
    Seconds,
    Millis,
    /// `[deploy]` is not patched: Go reads a bare number as nanoseconds.
    Nanos,
}

/// One TOML value, seen the way the decoder needs it.
#[derive(Clone, Copy)]
enum Node<'a, 'i> {
    String(&'a str),
    /// `None` when the integer does not fit an i64.
    Integer(Option<i64>),
    Float(f64),
    Boolean(bool),
    Datetime,
    Array(&'a [Item<'i>]),
    Table(&'a Table<'i>),
}

fn node<'a, 'i>(item: &'a Item<'i>) -> Node<'a, 'i> {
    use toml_spanner::Value as V;
    match item.value() {
        V::String(s) => Node::String(s),
        V::Integer(i) => Node::Integer(i.as_i64()),
        V::Float(f) => Node::Float(*f),
        V::Boolean(b) => Node::Boolean(*b),
        V::DateTime(_) => Node::Datetime,
        V::Array(items) => Node::Array(items.as_slice()),
        V::Table(table) => Node::Table(table),
    }
}

fn type_name(item: &Item<'_>) -> &'static str {
    match node(item) {
        Node::String(_) => "string",
        Node::Integer(_) => "integer",
        Node::Float(_) => "float",
        Node::Boolean(_) => "boolean",
        Node::Datetime => "datetime",
        Node::Array(_) => "array",
        Node::Table(_) => "table",
    }
}

/// One key of a table: where it is, its spans and value.
struct Field<'a, 'i> {
    /// The path of the table the key is in (`services[0]`; empty at the top level).
    parent: &'a str,
    key: &'a str,
    key_span: Span,
    span: Span,
    item: &'a Item<'i>,
}

impl Field<'_, '_> {
    /// The key's full path (`services[0].ports`), made when a message or a nested table needs it.
    fn path(&self) -> String {
        path_join(self.parent, self.key)
    }
}

/// The decoding pass: collects diagnostics and spans while it builds the model.
pub(crate) struct Decoder<'s> {
    source: &'s str,
    pub diagnostics: Vec<Diagnostic>,
    pub spans: SpanMap,
}

fn span(span: toml_spanner::Span) -> Span {
    span.range().into()
}

fn article(kind: &str) -> &'static str {
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

/// The words of a key, singular and sorted: `auto_machine_stop` and `auto_stop_machines` have the same.
fn words(key: &str) -> Vec<&str> {
    let mut words: Vec<&str> =
        key.split(['_', '-']).filter(|w| !w.is_empty()).map(|w| w.trim_end_matches('s')).collect();
    crate::sort::sort(&mut words);
    words
}

/// The closest known key, when it is close enough to be a likely typo or the same words in another order.
pub(crate) fn did_you_mean<'k>(unknown: &str, known: &[&'k str]) -> Option<&'k str> {
    let lowered = unknown.to_ascii_lowercase().replace('-', "_");
    let close = known
        .iter()
        .filter_map(|k| {
            let allowed = (k.len() / 3).clamp(1, 3);
            osa_distance_within(&lowered, k, allowed).map(|distance| (distance, *k))
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k);
    close.or_else(|| {
        let unknown_words = words(&lowered);
        if unknown_words.len() < 2 {
            return None;
        }
        let separators = unknown_words.len() - 1;
        known
            .iter()
            .filter(|k| k.matches(['_', '-']).count() >= separators)
            .find(|k| words(k) == unknown_words)
            .copied()
    })
}

/// The optimal-string-alignment distance between `a` and `b` (inserting, deleting or replacing a character, or
/// swapping two adjacent ones, each costs one; no substring is edited twice), when it is at most `limit`. Rows of the
/// table never get smaller, so the work stops at the first row whose every entry is past the limit: a suggestion
/// is allowed three edits at most, and most candidates are ruled out after a few characters.
fn osa_distance_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    if a.is_ascii() && b.is_ascii() {
        osa_within(a.as_bytes(), b.as_bytes(), limit)
    } else {
        osa_within(&a.chars().collect::<Vec<_>>(), &b.chars().collect::<Vec<_>>(), limit)
    }
}

fn osa_within<T: Copy + PartialEq>(a: &[T], b: &[T], limit: usize) -> Option<usize> {
    // The distance is at least the difference in length: most candidates end here, unmeasured.
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let width = b.len() + 1;
    // Three rows of the table in one buffer: two rows back (for swaps), the previous row and the current one.
    let mut rows = vec![0; 3 * width];
    let (mut two_back, mut previous, mut current) = (0, width, 2 * width);
    for (j, cell) in rows[previous..current].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        rows[current] = i;
        let mut row_least = i;
        for j in 1..width {
            let same = a[i - 1] == b[j - 1];
            let mut distance = (rows[current + j - 1] + 1)
                .min(rows[previous + j] + 1)
                .min(rows[previous + j - 1] + usize::from(!same));
            if !same && i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                distance = distance.min(rows[two_back + j - 2] + 1);
            }
            rows[current + j] = distance;
            row_least = row_least.min(distance);
        }
        if row_least > limit {
            return None;
        }
        (two_back, previous, current) = (previous, current, two_back);
    }
    let distance = rows[previous + b.len()];
    (distance <= limit).then_some(distance)
}

/// Help for a key unknown in its table but known elsewhere: a top-level key written below a table header (TOML puts
/// every key after `[x]` into `x`, a common slip with `kill_signal` after `[[vm]]`), or a port option written in its
/// service.
fn misplaced(key: &str, section: &str, is_table: bool) -> Option<String> {
    if section.is_empty() {
        return None;
    }
    if TOP_LEVEL_KEYS.contains(&key) && is_table {
        return Some(format!(
            "`{key}` is a top-level table, not part of `{}`: give it its own header (`[{key}]` or `[[{key}]]`)",
            header(section)
        ));
    }
    if TOP_LEVEL_KEYS.contains(&key) {
        return Some(format!(
            "`{key}` is a top-level key, but TOML puts every key after the `{}` header into that table: move it above \
             the first table",
            header(section)
        ));
    }
    let in_service = section.starts_with("services[") && !section.contains('.');
    (in_service && PORT_KEYS.contains(&key)).then(|| format!("`{key}` belongs in the service's `[[services.ports]]`"))
}

/// The TOML header of the table at a span-map path: `vm[0]` → `[[vm]]`, `services[1].ports[0]` → `[[services.ports]]`,
/// `http_service` → `[http_service]`.
fn header(section: &str) -> String {
    let mut name = String::with_capacity(section.len());
    let mut in_index = false;
    for c in section.chars() {
        match c {
            '[' => in_index = true,
            ']' => in_index = false,
            _ if !in_index => name.push(c),
            _ => {}
        }
    }
    if section.ends_with(']') { format!("[[{name}]]") } else { format!("[{name}]") }
}

impl<'s> Decoder<'s> {
    pub fn new(source: &'s str) -> Self {
        Self { source, diagnostics: Vec::new(), spans: SpanMap::for_source(source) }
    }

    /// The TOML value as JSON, for `extra` and free-form tables (datetimes as written).
    fn to_json(&self, item: &Item<'_>) -> Value {
        match node(item) {
            Node::String(s) => Value::String(s.to_owned()),
            Node::Integer(Some(n)) => Value::from(n),
            Node::Integer(None) | Node::Datetime => Value::String(self.text(item).to_owned()),
            Node::Float(f) => {
                Number::from_f64(f).map_or_else(|| Value::String(self.text(item).to_owned()), Value::Number)
            }
            Node::Boolean(b) => Value::Bool(b),
            Node::Array(items) => Value::Array(items.iter().map(|v| self.to_json(v)).collect()),
            Node::Table(table) => Value::Object(
                table.entries().iter().map(|(k, v)| (k.name.to_owned(), self.to_json(v))).collect::<Map<_, _>>(),
            ),
        }
    }

    /// Go's `%v` of a scalar, which is how flyctl stringifies env values and header values.
    fn stringify(&self, item: &Item<'_>) -> String {
        match node(item) {
            Node::String(s) => s.to_owned(),
            Node::Integer(Some(n)) => n.to_string(),
            Node::Float(f) => f.to_string(),
            Node::Boolean(b) => b.to_string(),
            Node::Integer(None) | Node::Datetime => self.text(item).to_owned(),
            Node::Array(_) | Node::Table(_) => self.to_json(item).to_string(),
        }
    }

    /// The source text of an item.
    fn text(&self, item: &Item<'_>) -> &'s str {
        self.source.get(item.span().range()).unwrap_or_default()
    }

    fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// The keys of a table as fields under `path`, recording their spans.
    fn fields<'a, 'i>(
        &mut self,
        path: &'a str,
        table: &'a Table<'i>,
    ) -> impl Iterator<Item = Field<'a, 'i>> + use<'a, 'i> {
        let table_path = self.spans.table(path);
        for (key, item) in table.entries() {
            self.spans.insert_key(table_path, key.name, span(key.span), span(item.span()));
        }
        table.entries().iter().map(move |(key, item)| Field {
            parent: path,
            key: key.name,
            key_span: span(key.span),
            span: span(item.span()),
            item,
        })
    }

    fn type_error(&mut self, field: &Field<'_, '_>, expected: &str) {
        let found = type_name(field.item);
        self.push(Diagnostic::error(
            "invalid-type",
            format!("`{}` must be {expected}, not {} {found}", field.path(), article(found)),
            field.span,
        ));
    }

    /// Warns about a key this section does not have, keeps it in `extra`. The message names the section by its
    /// path (`http_service.checks[0]`), as `fly config validate --strict` does.
    fn unknown(&mut self, field: &Field<'_, '_>, known: &[&str], extra: &mut Extra) {
        let section = field.parent;
        let place = if section.is_empty() { "at the top level".to_owned() } else { format!("in [{section}]") };
        let mut diagnostic = Diagnostic::warning(
            "unknown-key",
            format!("unknown key `{}` {place}; flyctl ignores it", field.key),
            field.key_span,
        );
        if let Some(suggestion) = did_you_mean(field.key, known) {
            diagnostic = diagnostic.with_help(format!("did you mean `{suggestion}`?"));
        } else if let Some(help) =
            misplaced(field.key, section, matches!(node(field.item), Node::Table(_) | Node::Array(_)))
        {
            diagnostic = diagnostic.with_help(help);
        }
        self.push(diagnostic);
        extra.insert(field.key.to_owned(), self.to_json(field.item));
    }

    /// A top-level setting written below `[env]` or `[processes]`, which take any key: TOML puts it in that table, so
    /// it silently becomes `what` instead of the setting (`kill_signal = "SIGINT"` after `[env]` sets a variable).
    fn setting_in_table(&mut self, entry: &Field<'_, '_>, what: &str) {
        if TOP_LEVEL_SETTINGS.contains(&entry.key) {
            self.push(
                Diagnostic::warning(
                    "setting-in-table",
                    format!("`{}` here is {what} named {}, not the top-level setting", entry.path(), entry.key),
                    entry.key_span,
                )
                .with_help(format!(
                    "TOML puts every key after `{}` into that table: move `{}` above the first table",
                    header(entry.parent),
                    entry.key
                )),
            );
        }
    }

    /// A key flyctl accepts and ignores on Machines (Nomad-era settings).
    fn ignored(&mut self, field: &Field<'_, '_>, why: &str, extra: &mut Extra) {
        self.push(Diagnostic::info("ignored-key", format!("`{}` {why}", field.path()), field.key_span));
        extra.insert(field.key.to_owned(), self.to_json(field.item));
    }

    fn string(&mut self, field: &Field<'_, '_>) -> Option<String> {
        match node(field.item) {
            Node::String(s) => Some(s.to_owned()),
            _ => {
                self.type_error(field, "a string");
                None
            }
        }
    }

    fn bool(&mut self, field: &Field<'_, '_>) -> Option<bool> {
        match node(field.item) {
            Node::Boolean(b) => Some(b),
            _ => {
                self.type_error(field, "true or false");
                None
            }
        }
    }

    fn int(&mut self, field: &Field<'_, '_>) -> Option<i64> {
        match node(field.item) {
            Node::Integer(n) => match n {
                Some(n) => Some(n),
                None => {
                    self.push(Diagnostic::error(
                        "invalid-value",
                        format!("`{}` is out of range", field.path()),
                        field.span,
                    ));
                    None
                }
            },
            _ => {
                self.type_error(field, "an integer");
                None
            }
        }
    }

    /// An integer, or a string holding one (flyctl converts ports and internal_port).
    fn int_or_numeric_string(&mut self, field: &Field<'_, '_>) -> Option<i64> {
        match node(field.item) {
            Node::String(s) => match s.trim().parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    self.push(Diagnostic::error(
                        "invalid-value",
                        format!("`{}` must be a number, not {s:?}", field.path()),
                        field.span,
                    ));
                    None
                }
            },
            _ => self.int(field),
        }
    }

    fn float(&mut self, field: &Field<'_, '_>) -> Option<f64> {
        match node(field.item) {
            Node::Float(f) => Some(f),
            Node::Integer(_) => self.int(field).map(|n| n as f64),
            _ => {
                self.type_error(field, "a number");
                None
            }
        }
    }

    /// A list of strings; with `single`, a lone string is a one-element list (flyctl patches these places).
    fn strings(&mut self, field: &Field<'_, '_>, single: bool) -> Vec<String> {
        match node(field.item) {
            Node::String(s) if single => vec![s.to_owned()],
            Node::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match node(item) {
                        Node::String(s) => out.push(s.to_owned()),
                        _ => {
                            let found = type_name(item);
                            self.push(Diagnostic::error(
                                "invalid-type",
                                format!(
                                    "`{}` must hold strings, not {} {found}",
                                    path_index(&field.path(), i),
                                    article(found)
                                ),
                                span(item.span()),
                            ));
                        }
                    }
                }
                out
            }
            _ => {
                self.type_error(field, if single { "a string or a list of strings" } else { "a list of strings" });
                Vec::new()
            }
        }
    }

    fn table<'a, 'i>(&mut self, field: &Field<'a, 'i>) -> Option<&'a Table<'i>> {
        match node(field.item) {
            Node::Table(table) => Some(table),
            _ => {
                self.type_error(field, "a table");
                None
            }
        }
    }

    /// The tables of a section written either as one table (`[vm]`) or as an array of tables (`[[vm]]`), each with
    /// its path in the normalised list (`vm[0]`). `list_path` is the normalised list's path.
    fn table_list<'a, 'i>(&mut self, field: &Field<'a, 'i>, list_path: &str) -> Vec<(String, Span, &'a Table<'i>)> {
        match node(field.item) {
            Node::Table(table) => {
                let path = path_index(list_path, 0);
                self.spans.insert(&path, field.key_span, field.span);
                vec![(path, field.span, table)]
            }
            Node::Array(items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let path = path_index(list_path, i);
                    let item_span = span(item.span());
                    self.spans.insert(&path, item_span, item_span);
                    match node(item) {
                        Node::Table(table) => out.push((path, item_span, table)),
                        _ => {
                            let found = type_name(item);
                            self.push(Diagnostic::error(
                                "invalid-type",
                                format!("`{path}` must be a table, not {} {found}", article(found)),
                                item_span,
                            ));
                        }
                    }
                }
                out
            }
            _ => {
                self.type_error(field, "a table or an array of tables");
                Vec::new()
            }
        }
    }

    fn duration(&mut self, field: &Field<'_, '_>, unit: IntUnit) -> Option<GoDuration> {
        match node(field.item) {
            Node::String("") => None,
            Node::String(s) => match GoDuration::parse(s) {
                Ok(d) => Some(d),
                Err(error) => {
                    self.push(
                        Diagnostic::error("invalid-duration", format!("`{}`: {error}", field.path()), field.span)
                            .with_help("durations are written like \"10s\", \"1m30s\" or \"500ms\""),
                    );
                    None
                }
            },
            Node::Integer(_) => {
                let n = self.int(field)?;
                Some(match unit {
                    IntUnit::Seconds => GoDuration::from_secs(n),
                    IntUnit::Millis => GoDuration::from_millis(n),
                    IntUnit::Nanos => {
                        self.push(
                            Diagnostic::warning(
                                "bare-number-duration",
                                format!("`{}` = {n} is read by flyctl as {n} nanoseconds", field.path()),
                                field.span,
                            )
                            .with_help(format!("write a unit, such as \"{n}s\"")),
                        );
                        GoDuration(n)
                    }
                })
            }
            // flyctl truncates fractional seconds here.
            Node::Float(secs) if unit == IntUnit::Seconds => Some(GoDuration::from_secs(secs.trunc() as i64)),
            _ => {
                self.type_error(field, "a duration string such as \"10s\"");
                None
            }
        }
    }

    fn auto_stop(&mut self, field: &Field<'_, '_>) -> Option<AutoStop> {
        match node(field.item) {
            Node::String(s) => match s {
                "off" | "false" => Some(AutoStop::Off),
                "stop" | "true" => Some(AutoStop::Stop),
                "suspend" => Some(AutoStop::Suspend),
                other => {
                    self.push(
                        Diagnostic::error(
                            "invalid-value",
                            format!("`{}` must be \"off\", \"stop\" or \"suspend\", not {other:?}", field.path()),
                            field.span,
                        )
                        .with_help("Fly.io no longer accepts \"on\": use \"stop\" to stop idle machines"),
                    );
                    None
                }
            },
            Node::Boolean(b) => {
                let (value, word) = if b { (AutoStop::Stop, "stop") } else { (AutoStop::Off, "off") };
                self.push(
                    Diagnostic::info(
                        "legacy-auto-stop",
                        format!("`{}` = {b} is the legacy spelling of \"{word}\"", field.path()),
                        field.span,
                    )
                    .with_help(format!("write auto_stop_machines = \"{word}\"")),
                );
                Some(value)
            }
            _ => {
                self.type_error(field, "\"off\", \"stop\" or \"suspend\"");
                None
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The document

    /// Decodes the whole document.
    pub fn document(&mut self, root: &Table<'_>) -> AppConfig {
        let mut config = AppConfig::default();
        let mut legacy_kill_timeout = None;
        let mut legacy_metrics = Metrics::default();
        for field in self.fields("", root) {
            match field.key {
                "app" => config.app = self.string(&field),
                "primary_region" => config.primary_region = self.string(&field),
                "kill_signal" => config.kill_signal = self.string(&field),
                "kill_timeout" => config.kill_timeout = self.duration(&field, IntUnit::Seconds),
                "swap_size_mb" => config.swap_size_mb = self.int(&field),
                "console_command" => config.console_command = self.string(&field),
                "host_dedication_id" => config.host_dedication_id = self.string(&field),
                "machine_config" => config.machine_config = self.string(&field),
                "container" => config.container = self.string(&field),
                "experimental" => {
                    if let Some(table) = self.table(&field) {
                        let experimental =
                            self.experimental(&field.path(), table, &mut legacy_kill_timeout, &mut legacy_metrics);
                        // An empty [experimental] is no [experimental] (flyctl).
                        if experimental != Experimental::default() {
                            config.experimental = Some(experimental);
                        }
                    }
                }
                "build" => config.build = self.table(&field).map(|t| self.build(&field.path(), t)),
                "deploy" => config.deploy = self.table(&field).map(|t| self.deploy(&field.path(), t)),
                "env" => self.env(&field, &mut config.env),
                "processes" => self.processes(&field, &mut config.processes),
                "mounts" | "mount" => {
                    for (path, _, table) in self.table_list(&field, "mounts") {
                        let mount = self.mount(&path, table);
                        config.mounts.push(mount);
                    }
                }
                "http_service" => config.http_service = self.table(&field).map(|t| self.http_service(&field.path(), t)),
                "services" => {
                    for (path, _, table) in self.table_list(&field, "services") {
                        // Entirely empty [[services]] tables are dropped (flyctl).
                        if !table.is_empty() {
                            let service = self.service(&path, table);
                            config.services.push(service);
                        }
                    }
                }
                "checks" => self.top_level_checks(&field, &mut config.checks),
                "files" => {
                    for (path, _, table) in self.table_list(&field, "files") {
                        let file = self.file(&path, table);
                        config.files.push(file);
                    }
                }
                "machine_checks" => {
                    for (path, _, table) in self.table_list(&field, "machine_checks") {
                        let check = self.machine_check(&path, table);
                        config.machine_checks.push(check);
                    }
                }
                "restart" => {
                    for (path, _, table) in self.table_list(&field, "restart") {
                        let restart = self.restart(&path, table);
                        config.restart.push(restart);
                    }
                }
                "vm" | "compute" | "computes" => {
                    let start = config.vm.len();
                    for (i, (path, span, table)) in self.table_list(&field, "vm").into_iter().enumerate() {
                        // Several spellings share one list; keep paths unique.
                        let path = if start == 0 { path } else { path_index("vm", start + i) };
                        self.spans.insert(&path, span, span);
                        let compute = self.compute(&path, table);
                        config.vm.push(compute);
                    }
                }
                "statics" => {
                    for (path, _, table) in self.table_list(&field, "statics") {
                        let statics = self.statics(&path, table);
                        config.statics.push(statics);
                    }
                }
                "metrics" | "metric" => {
                    for (path, _, table) in self.table_list(&field, "metrics") {
                        let metrics = self.metrics(&path, table);
                        config.metrics.push(metrics);
                    }
                }
                _ => self.unknown(&field, TOP_LEVEL_KEYS, &mut config.extra),
            }
        }
        if config.kill_timeout.is_none() {
            config.kill_timeout = legacy_kill_timeout;
        }
        if legacy_metrics.port.is_some() || legacy_metrics.path.is_some() {
            config.metrics.push(legacy_metrics);
        }
        config
    }

    fn env(&mut self, field: &Field<'_, '_>, env: &mut BTreeMap<String, String>) {
        // [env] table, or the legacy [[env]] array of tables merged into one map; values stringified.
        for (path, _, table) in self.table_list(field, "env") {
            let base = if field.item.as_array().is_some() { path } else { "env".to_owned() };
            for entry in self.fields(&base, table) {
                self.setting_in_table(&entry, "an environment variable");
                if matches!(node(entry.item), Node::Array(_) | Node::Table(_)) {
                    let found = type_name(entry.item);
                    self.push(Diagnostic::warning(
                        "env-value-not-scalar",
                        format!("`{}` is {} {found}; the machine gets its text form", entry.path(), article(found)),
                        entry.span,
                    ));
                }
                env.insert(entry.key.to_owned(), self.stringify(entry.item));
            }
        }
    }

    fn processes(&mut self, field: &Field<'_, '_>, processes: &mut BTreeMap<String, String>) {
        match node(field.item) {
            Node::Table(table) => {
                for entry in self.fields(&field.path(), table) {
                    self.setting_in_table(&entry, "a process group");
                    if let Some(command) = self.string(&entry) {
                        processes.insert(entry.key.to_owned(), command);
                    }
                }
            }
            // Legacy [[processes]] with name/command; an empty list means none.
            Node::Array(_) => {
                for (path, _, table) in self.table_list(field, "processes") {
                    let mut name = None;
                    let mut command = String::new();
                    let mut extra = Extra::new();
                    for entry in self.fields(&path, table) {
                        match entry.key {
                            "name" => name = self.string(&entry),
                            "command" => command = self.string(&entry).unwrap_or_default(),
                            _ => self.unknown(&entry, &["name", "command"], &mut extra),
                        }
                    }
                    if let Some(name) = name {
                        processes.insert(name, command);
                    }
                }
            }
            _ => self.type_error(field, "a table of process commands"),
        }
    }

    fn experimental(
        &mut self,
        path: &str,
        table: &Table<'_>,
        kill_timeout: &mut Option<GoDuration>,
        metrics: &mut Metrics,
    ) -> Experimental {
        let mut out = Experimental::default();
        for field in self.fields(path, table) {
            match field.key {
                "cmd" => out.cmd = self.strings(&field, true),
                "entrypoint" => out.entrypoint = self.strings(&field, true),
                "exec" => out.exec = self.strings(&field, true),
                "auto_rollback" => {
                    out.auto_rollback = self.bool(&field);
                    self.push(Diagnostic::info(
                        "ignored-key",
                        "`experimental.auto_rollback` has no effect on Machines apps",
                        field.key_span,
                    ));
                }
                "enable_consul" => out.enable_consul = self.bool(&field),
                "enable_etcd" => out.enable_etcd = self.bool(&field),
                "lazy_load_images" => out.lazy_load_images = self.bool(&field),
                "attached" => out.attached = Some(self.to_json(field.item)),
                "machine_config" => out.machine_config = self.string(&field),
                "kill_timeout" => *kill_timeout = self.duration(&field, IntUnit::Seconds),
                "metrics_port" => metrics.port = self.int_or_numeric_string(&field),
                "metrics_path" => metrics.path = self.string(&field),
                "allowed_public_ports" | "private_network" | "restart_limit" | "script_checks" => {
                    self.ignored(&field, "is a Nomad (Apps v1) setting that Machines apps ignore", &mut out.extra)
                }
                _ => self.unknown(&field, EXPERIMENTAL_KEYS, &mut out.extra),
            }
        }
        out
    }

    fn build(&mut self, path: &str, table: &Table<'_>) -> Build {
        let mut out = Build::default();
        for field in self.fields(path, table) {
            match field.key {
                "builder" => out.builder = self.string(&field),
                "buildpacks" => out.buildpacks = self.strings(&field, false),
                "args" => {
                    if let Some(table) = self.table(&field) {
                        for entry in self.fields(&field.path(), table) {
                            out.args.insert(entry.key.to_owned(), self.stringify(entry.item));
                        }
                    }
                }
                "settings" => {
                    if let Some(Value::Object(map)) = self.table(&field).map(|_| self.to_json(field.item)) {
                        out.settings = map;
                    }
                }
                "image" => out.image = self.string(&field),
                "builtin" => out.builtin = self.string(&field),
                "dockerfile" => out.dockerfile = self.string(&field),
                "ignorefile" => out.ignorefile = self.string(&field),
                "build-target" | "build_target" => out.build_target = self.string(&field),
                "compose" => {
                    if let Some(table) = self.table(&field) {
                        let mut compose = Compose::default();
                        for entry in self.fields(&field.path(), table) {
                            match entry.key {
                                "file" => compose.file = self.string(&entry),
                                _ => self.unknown(&entry, &["file"], &mut compose.extra),
                            }
                        }
                        out.compose = Some(compose);
                    }
                }
                "compression" => out.compression = self.string(&field),
                "compression_level" => out.compression_level = self.int(&field),
                _ => self.unknown(&field, BUILD_KEYS, &mut out.extra),
            }
        }
        out
    }

    fn deploy(&mut self, path: &str, table: &Table<'_>) -> Deploy {
        let mut out = Deploy::default();
        for field in self.fields(path, table) {
            match field.key {
                "release_command" => out.release_command = self.string(&field),
                "release_command_timeout" => out.release_command_timeout = self.duration(&field, IntUnit::Nanos),
                "release_command_vm" => {
                    out.release_command_vm = self.table(&field).map(|t| self.compute(&field.path(), t));
                }
                "seed_command" => out.seed_command = self.string(&field),
                "strategy" => out.strategy = self.string(&field),
                "max_unavailable" => out.max_unavailable = self.float(&field),
                "wait_timeout" => out.wait_timeout = self.duration(&field, IntUnit::Nanos),
                _ => self.unknown(&field, DEPLOY_KEYS, &mut out.extra),
            }
        }
        out
    }

    fn mount(&mut self, path: &str, table: &Table<'_>) -> Mount {
        let mut out = Mount::default();
        for field in self.fields(path, table) {
            match field.key {
                "source" => out.source = self.string(&field).unwrap_or_default(),
                "destination" => out.destination = self.string(&field).unwrap_or_default(),
                "initial_size" => out.initial_size = self.size_text(&field),
                "snapshot_retention" => out.snapshot_retention = self.int(&field),
                "scheduled_snapshots" => out.scheduled_snapshots = self.bool(&field),
                "auto_extend_size_threshold" => out.auto_extend_size_threshold = self.int(&field),
                "auto_extend_size_increment" => out.auto_extend_size_increment = self.size_text(&field),
                "auto_extend_size_limit" => out.auto_extend_size_limit = self.size_text(&field),
                "processes" => out.processes = self.strings(&field, false),
                _ => self.unknown(&field, MOUNT_KEYS, &mut out.extra),
            }
        }
        out
    }

    /// A size as text: strings as written, integers in the field's default unit (flyctl converts them).
    fn size_text(&mut self, field: &Field<'_, '_>) -> Option<String> {
        match node(field.item) {
            Node::Integer(_) => self.int(field).map(|n| n.to_string()),
            _ => self.string(field),
        }
    }

    fn http_service(&mut self, path: &str, table: &Table<'_>) -> HttpService {
        let mut out = HttpService::default();
        for field in self.fields(path, table) {
            match field.key {
                "internal_port" => out.internal_port = self.int_or_numeric_string(&field).unwrap_or_default(),
                "force_https" => out.force_https = self.bool(&field),
                "auto_stop_machines" => out.auto_stop_machines = self.auto_stop(&field),
                "auto_start_machines" => out.auto_start_machines = self.bool(&field),
                "min_machines_running" => out.min_machines_running = self.int(&field),
                "processes" => out.processes = self.strings(&field, false),
                "concurrency" => out.concurrency = self.concurrency(&field),
                "tls_options" => out.tls_options = self.table(&field).map(|t| self.tls_options(&field.path(), t)),
                "http_options" => out.http_options = self.table(&field).map(|t| self.http_options(&field.path(), t)),
                "checks" | "http_checks" => {
                    for (check_path, _, table) in self.table_list(&field, &path_join(path, "checks")) {
                        let check = self.http_check(&check_path, table);
                        out.checks.push(check);
                    }
                }
                "machine_checks" => {
                    for (check_path, _, table) in self.table_list(&field, &field.path()) {
                        let check = self.machine_check(&check_path, table);
                        out.machine_checks.push(check);
                    }
                }
                _ => self.unknown(&field, HTTP_SERVICE_KEYS, &mut out.extra),
            }
        }
        out
    }

    fn service(&mut self, path: &str, table: &Table<'_>) -> Service {
        let mut out = Service::default();
        for field in self.fields(path, table) {
            match field.key {
                "protocol" => out.protocol = self.string(&field).unwrap_or_default(),
                "internal_port" => out.internal_port = self.int_or_numeric_string(&field).unwrap_or_default(),
                "auto_stop_machines" => out.auto_stop_machines = self.auto_stop(&field),
                "auto_start_machines" => out.auto_start_machines = self.bool(&field),
                "min_machines_running" => out.min_machines_running = self.int(&field),
                "processes" => out.processes = self.strings(&field, false),
                "concurrency" => out.concurrency = self.concurrency(&field),
                "ports" => {
                    for (port_path, _, table) in self.table_list(&field, &field.path()) {
                        let port = self.port(&port_path, table);
                        out.ports.push(port);
                    }
                }
                "tcp_checks" => {
                    for (check_path, _, table) in self.table_list(&field, &field.path()) {
                        let check = self.tcp_check(&check_path, table);
                        out.tcp_checks.push(check);
                    }
                }
                "http_checks" => {
                    for (check_path, _, table) in self.table_list(&field, &field.path()) {
                        let check = self.http_check(&check_path, table);
                        out.http_checks.push(check);
                    }
                }
                "machine_checks" => {
                    for (check_path, _, table) in self.table_list(&field, &field.path()) {
                        let check = self.machine_check(&check_path, table);
                        out.machine_checks.push(check);
                    }
                }
                "script_checks" => {
                    self.ignored(&field, "are a Nomad (Apps v1) feature that Machines apps ignore", &mut out.extra)
                }
                _ => self.unknown(&field, SERVICE_KEYS, &mut out.extra),
            }
        }
        out
    }

    fn concurrency(&mut self, field: &Field<'_, '_>) -> Option<Concurrency> {
        match node(field.item) {
            Node::Table(table) => {
                let mut out = Concurrency::default();
                for entry in self.fields(&field.path(), table) {
                    match entry.key {
                        "type" => out.kind = self.string(&entry),
                        "hard_limit" => out.hard_limit = self.int(&entry),
                        "soft_limit" => out.soft_limit = self.int(&entry),
                        _ => self.unknown(&entry, &["type", "hard_limit", "soft_limit"], &mut out.extra),
                    }
                }
                Some(out)
            }
            // Legacy "soft,hard".
            Node::String(text) => {
                let parts: Vec<Option<i64>> = text.split(',').map(|p| p.trim().parse().ok()).collect();
                match parts.as_slice() {
                    [Some(soft), Some(hard)] => Some(Concurrency {
                        kind: Some("requests".to_owned()),
                        soft_limit: Some(*soft),
                        hard_limit: Some(*hard),
                        extra: Extra::new(),
                    }),
                    _ => {
                        self.push(Diagnostic::error(
                            "invalid-value",
                            format!("`{}` must be a table or \"soft,hard\" limits, not {text:?}", field.path()),
                            field.span,
                        ));
                        None
                    }
                }
            }
            _ => {
                self.push(
                    Diagnostic::error(
                        "invalid-type",
                        format!("Unknown type for service concurrency: {}", type_name(field.item)),
                        field.span,
                    )
                    .with_help(
                        "write a table: concurrency = { type = \"connections\", soft_limit = 20, hard_limit = 25 }",
                    ),
                );
                None
            }
        }
    }

    fn port(&mut self, path: &str, table: &Table<'_>) -> Port {
        let mut out = Port::default();
        for field in self.fields(path, table) {
            match field.key {
                "port" => out.port = self.int_or_numeric_string(&field),
                "start_port" => out.start_port = self.int_or_numeric_string(&field),
                "end_port" => out.end_port = self.int_or_numeric_string(&field),
                "handlers" => out.handlers = self.strings(&field, false),
                "force_https" => out.force_https = self.bool(&field),
                "tls_options" => out.tls_options = self.table(&field).map(|t| self.tls_options(&field.path(), t)),
                "http_options" => out.http_options = self.table(&field).map(|t| self.http_options(&field.path(), t)),
                "proxy_proto_options" => {
                    if let Some(table) = self.table(&field) {
                        let mut options = ProxyProtoOptions::default();
                        for entry in self.fields(&field.path(), table) {
                            match entry.key {
                                "version" => options.version = self.string(&entry),
                                _ => self.unknown(&entry, &["version"], &mut options.extra),
                            }
                        }
                        out.proxy_proto_options = Some(options);
                    }
                }
                _ => self.unknown(&field, PORT_KEYS, &mut out.extra),
            }
        }
        out
    }

    fn tls_options(&mut self, path: &str, table: &Table<'_>) -> TlsOptions {
        let mut out = TlsOptions::default();
        for field in self.fields(path, table) {
            match field.key {
                "alpn" => out.alpn = self.strings(&field, false),
                "versions" => out.versions = self.strings(&field, false),
                "default_self_signed" => out.default_self_signed = self.bool(&field),
                _ => self.unknown(&field, &["alpn", "versions", "default_self_signed"], &mut out.extra),
            }
        }
        out
    }

    fn http_options(&mut self, path: &str, table: &Table<'_>) -> HttpOptions {
        let mut out = HttpOptions::default();
        for field in self.fields(path, table) {
            match field.key {
                "compress" => out.compress = self.bool(&field),
                "h2_backend" => out.h2_backend = self.bool(&field),
                "idle_timeout" => out.idle_timeout = self.int(&field),
                "headers_read_timeout" => out.headers_read_timeout = self.int(&field),
                "response" => {
                    if let Some(table) = self.table(&field) {
                        let mut response = HttpResponseOptions::default();
                        for entry in self.fields(&field.path(), table) {
                            match entry.key {
                                "headers" => {
                                    if let Some(Value::Object(map)) =
                                        self.table(&entry).map(|_| self.to_json(entry.item))
                                    {
                                        response.headers = map;
                                    }
                                }
                                "pristine" => response.pristine = self.bool(&entry),
                                _ => self.unknown(&entry, &["headers", "pristine"], &mut response.extra),
                            }
                        }
                        out.response = Some(response);
                    }
                }
                "replay_cache" => match self.to_json(field.item) {
                    Value::Array(items) => out.replay_cache = items,
                    _ => self.type_error(&field, "an array of tables"),
                },
                _ => self.unknown(&field, HTTP_OPTIONS_KEYS, &mut out.extra),
            }
        }
        out
    }

    fn tcp_check(&mut self, path: &str, table: &Table<'_>) -> TcpCheck {
        let mut out = TcpCheck::default();
        for field in self.fields(path, table) {
            match field.key {
                "interval" => out.interval = self.duration(&field, IntUnit::Millis),
                "timeout" => out.timeout = self.duration(&field, IntUnit::Millis),
                "grace_period" => out.grace_period = self.duration(&field, IntUnit::Millis),
                "restart_limit" => self.ignored(&field, NOMAD_CHECK_KEY, &mut out.extra),
                _ => self.unknown(&field, &["interval", "timeout", "grace_period"], &mut out.extra),
            }
        }
        out
    }

    fn http_check(&mut self, path: &str, table: &Table<'_>) -> HttpCheck {
        let mut out = HttpCheck::default();
        for field in self.fields(path, table) {
            match field.key {
                "interval" => out.interval = self.duration(&field, IntUnit::Millis),
                "timeout" => out.timeout = self.duration(&field, IntUnit::Millis),
                "grace_period" => out.grace_period = self.duration(&field, IntUnit::Millis),
                "method" => out.method = self.string(&field),
                "path" => out.path = self.string(&field),
                "protocol" => out.protocol = self.string(&field),
                "tls_skip_verify" => out.tls_skip_verify = self.bool(&field),
                "tls_server_name" => out.tls_server_name = self.string(&field),
                "headers" => out.headers = self.headers(&field),
                "restart_limit" => self.ignored(&field, NOMAD_CHECK_KEY, &mut out.extra),
                _ => self.unknown(&field, HTTP_CHECK_KEYS, &mut out.extra),
            }
        }
        out
    }

    /// Check headers: a table (values stringified) or the legacy list of `{name, value}`; `[]` is none.
    fn headers(&mut self, field: &Field<'_, '_>) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        match node(field.item) {
            Node::Table(table) => {
                for entry in self.fields(&field.path(), table) {
                    out.insert(entry.key.to_owned(), self.stringify(entry.item));
                }
            }
            Node::Array(_) => {
                for (path, span, table) in self.table_list(field, &field.path()) {
                    let mut name = None;
                    let mut value = None;
                    for entry in self.fields(&path, table) {
                        match entry.key {
                            "name" => name = self.string(&entry),
                            "value" => value = Some(self.stringify(entry.item)),
                            _ => self.unknown(&entry, &["name", "value"], &mut Extra::new()),
                        }
                    }
                    match name {
                        Some(name) => {
                            out.insert(name, value.unwrap_or_default());
                        }
                        None => self.push(Diagnostic::error("invalid-value", format!("`{path}` needs a name"), span)),
                    }
                }
            }
            _ => self.type_error(field, "a table of header names and values"),
        }
        out
    }

    fn top_level_checks(&mut self, field: &Field<'_, '_>, checks: &mut BTreeMap<String, TopLevelCheck>) {
        match node(field.item) {
            Node::Table(table) => {
                for entry in self.fields(&field.path(), table) {
                    if let Some(table) = self.table(&entry) {
                        let check = self.top_level_check(&entry.path(), table);
                        checks.insert(entry.key.to_owned(), check);
                    }
                }
            }
            // Legacy [[checks]] with a name each.
            Node::Array(_) => {
                for (path, span, table) in self.table_list(field, "checks") {
                    let name = table.get("name").and_then(Item::as_str).map(str::to_owned);
                    let Some(name) = name else {
                        self.push(Diagnostic::error("invalid-value", format!("`{path}` needs a name"), span));
                        continue;
                    };
                    let check_path = path_join("checks", &name);
                    self.spans.insert(&check_path, span, span);
                    let check = self.top_level_check(&check_path, table);
                    checks.insert(name, check);
                }
            }
            _ => self.type_error(field, "a table of named checks"),
        }
    }

    fn top_level_check(&mut self, path: &str, table: &Table<'_>) -> TopLevelCheck {
        let mut out = TopLevelCheck::default();
        for field in self.fields(path, table) {
            match field.key {
                "port" => out.port = self.int_or_numeric_string(&field),
                "type" => out.kind = self.string(&field),
                "interval" => out.interval = self.duration(&field, IntUnit::Millis),
                "timeout" => out.timeout = self.duration(&field, IntUnit::Millis),
                "grace_period" => out.grace_period = self.duration(&field, IntUnit::Millis),
                "method" => out.method = self.string(&field),
                "path" => out.path = self.string(&field),
                "protocol" => out.protocol = self.string(&field),
                "tls_skip_verify" => out.tls_skip_verify = self.bool(&field),
                "tls_server_name" => out.tls_server_name = self.string(&field),
                "headers" => out.headers = self.headers(&field),
                "processes" => out.processes = self.strings(&field, false),
                // The legacy array form names each check inside it.
                "name" if table.get("name").is_some() && path.starts_with("checks.") => {}
                _ => self.unknown(&field, TOP_LEVEL_CHECK_KEYS, &mut out.extra),
            }
        }
        out
    }

    fn machine_check(&mut self, path: &str, table: &Table<'_>) -> ServiceMachineCheck {
        let mut out = ServiceMachineCheck::default();
        for field in self.fields(path, table) {
            match field.key {
                "command" => out.command = self.strings(&field, true),
                "image" => out.image = self.string(&field),
                "entrypoint" => out.entrypoint = self.strings(&field, true),
                "kill_signal" => out.kill_signal = self.string(&field),
                "kill_timeout" => out.kill_timeout = self.duration(&field, IntUnit::Seconds),
                _ => self.unknown(&field, MACHINE_CHECK_KEYS, &mut out.extra),
            }
        }
        out
    }

    fn file(&mut self, path: &str, table: &Table<'_>) -> File {
        let mut out = File::default();
        for field in self.fields(path, table) {
            match field.key {
                "guest_path" => out.guest_path = self.string(&field).unwrap_or_default(),
                "local_path" => out.local_path = self.string(&field),
                "secret_name" => out.secret_name = self.string(&field),
                "raw_value" => out.raw_value = self.string(&field),
                "processes" => out.processes = self.strings(&field, false),
                _ => self.unknown(&field, FILE_KEYS, &mut out.extra),
            }
        }
        out
    }

    fn restart(&mut self, path: &str, table: &Table<'_>) -> Restart {
        let mut out = Restart::default();
        for field in self.fields(path, table) {
            match field.key {
                "policy" => out.policy = self.string(&field),
                "retries" | "max_retries" => out.retries = self.int(&field),
                "processes" => out.processes = self.strings(&field, false),
                _ => self.unknown(&field, &["policy", "retries", "processes"], &mut out.extra),
            }
        }
        out
    }

    fn compute(&mut self, path: &str, table: &Table<'_>) -> Compute {
        let mut out = Compute::default();
        for field in self.fields(path, table) {
            match field.key {
                "size" => out.size = self.string(&field),
                "memory" => out.memory = self.size_text(&field),
                "cpu_kind" => out.cpu_kind = self.string(&field),
                "cpus" => out.cpus = self.int(&field),
                "memory_mb" => out.memory_mb = self.int(&field),
                "gpus" => out.gpus = self.int(&field),
                "gpu_kind" => out.gpu_kind = self.string(&field),
                "kernel_args" => out.kernel_args = self.strings(&field, true),
                "host_dedication_id" => out.host_dedication_id = self.string(&field),
                "persist_rootfs" => out.persist_rootfs = self.string(&field),
                "max_memory_mb" => out.max_memory_mb = self.int(&field),
                "processes" => out.processes = self.strings(&field, false),
                _ => self.unknown(&field, COMPUTE_KEYS, &mut out.extra),
            }
        }
        out
    }

    fn statics(&mut self, path: &str, table: &Table<'_>) -> Static {
        let mut out = Static::default();
        for field in self.fields(path, table) {
            match field.key {
                "guest_path" => out.guest_path = self.string(&field).unwrap_or_default(),
                "url_prefix" => out.url_prefix = self.string(&field).unwrap_or_default(),
                "tigris_bucket" => out.tigris_bucket = self.string(&field),
                "index_document" => out.index_document = self.string(&field),
                // v1 wrote `processes` on statics; they were never per group.
                "processes" => {
                    self.ignored(&field, "has no effect: statics apply to every process group", &mut out.extra)
                }
                _ => self.unknown(&field, STATIC_KEYS, &mut out.extra),
            }
        }
        out
    }

    fn metrics(&mut self, path: &str, table: &Table<'_>) -> Metrics {
        let mut out = Metrics::default();
        for field in self.fields(path, table) {
            match field.key {
                "port" => out.port = self.int_or_numeric_string(&field),
                "path" => out.path = self.string(&field),
                "https" => out.https = self.bool(&field),
                "processes" => out.processes = self.strings(&field, false),
                _ => self.unknown(&field, &["port", "path", "https", "processes"], &mut out.extra),
            }
        }
        out
    }
}

const NOMAD_CHECK_KEY: &str = "is a Nomad (Apps v1) check setting that Machines apps ignore";

/// Known keys per section (for did-you-mean; what the decoders above match).
const TOP_LEVEL_KEYS: &[&str] = &[
    "app",
    "primary_region",
    "kill_signal",
    "kill_timeout",
    "swap_size_mb",
    "console_command",
    "host_dedication_id",
    "machine_config",
    "container",
    "experimental",
    "build",
    "deploy",
    "env",
    "processes",
    "mounts",
    "http_service",
    "services",
    "checks",
    "files",
    "machine_checks",
    "restart",
    "vm",
    "statics",
    "metrics",
];
/// The top-level settings that a table taking any key (`[env]`, `[processes]`) would swallow unnoticed.
const TOP_LEVEL_SETTINGS: &[&str] =
    &["primary_region", "kill_signal", "kill_timeout", "swap_size_mb", "console_command", "host_dedication_id"];
const EXPERIMENTAL_KEYS: &[&str] = &[
    "cmd",
    "entrypoint",
    "exec",
    "auto_rollback",
    "enable_consul",
    "enable_etcd",
    "lazy_load_images",
    "attached",
    "machine_config",
    "kill_timeout",
    "metrics_port",
    "metrics_path",
];
const BUILD_KEYS: &[&str] = &[
    "builder",
    "buildpacks",
    "args",
    "settings",
    "image",
    "builtin",
    "dockerfile",
    "ignorefile",
    "build-target",
    "compose",
    "compression",
    "compression_level",
];
const DEPLOY_KEYS: &[&str] = &[
    "release_command",
    "release_command_timeout",
    "release_command_vm",
    "seed_command",
    "strategy",
    "max_unavailable",
    "wait_timeout",
];
const MOUNT_KEYS: &[&str] = &[
    "source",
    "destination",
    "initial_size",
    "snapshot_retention",
    "scheduled_snapshots",
    "auto_extend_size_threshold",
    "auto_extend_size_increment",
    "auto_extend_size_limit",
    "processes",
];
const HTTP_SERVICE_KEYS: &[&str] = &[
    "internal_port",
    "force_https",
    "auto_stop_machines",
    "auto_start_machines",
    "min_machines_running",
    "processes",
    "concurrency",
    "tls_options",
    "http_options",
    "checks",
    "machine_checks",
];
const SERVICE_KEYS: &[&str] = &[
    "protocol",
    "internal_port",
    "auto_stop_machines",
    "auto_start_machines",
    "min_machines_running",
    "processes",
    "concurrency",
    "ports",
    "tcp_checks",
    "http_checks",
    "machine_checks",
];
const PORT_KEYS: &[&str] = &[
    "port",
    "start_port",
    "end_port",
    "handlers",
    "force_https",
    "tls_options",
    "http_options",
    "proxy_proto_options",
];
const HTTP_OPTIONS_KEYS: &[&str] =
    &["compress", "h2_backend", "idle_timeout", "headers_read_timeout", "response", "replay_cache"];
const HTTP_CHECK_KEYS: &[&str] = &[
    "interval",
    "timeout",
    "grace_period",
    "method",
    "path",
    "protocol",
    "tls_skip_verify",
    "tls_server_name",
    "headers",
];
const TOP_LEVEL_CHECK_KEYS: &[&str] = &[
    "port",
    "type",
    "interval",
    "timeout",
    "grace_period",
    "method",
    "path",
    "protocol",
    "tls_skip_verify",
    "tls_server_name",
    "headers",
    "processes",
];
const MACHINE_CHECK_KEYS: &[&str] = &["command", "image", "entrypoint", "kill_signal", "kill_timeout"];
const FILE_KEYS: &[&str] = &["guest_path", "local_path", "secret_name", "raw_value", "processes"];
const COMPUTE_KEYS: &[&str] = &[
    "size",
    "memory",
    "cpu_kind",
    "cpus",
    "memory_mb",
    "gpus",
    "gpu_kind",
    "kernel_args",
    "host_dedication_id",
    "persist_rootfs",
    "max_memory_mb",
    "processes",
];
const STATIC_KEYS: &[&str] = &["guest_path", "url_prefix", "tigris_bucket", "index_document"];

#[cfg(test)]
mod tests {
    use super::*;

    /// The optimal-string-alignment distance from its definition: the whole table, no cut-off.
    fn osa_reference(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut table = vec![vec![0; b.len() + 1]; a.len() + 1];
        for (i, row) in table.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in table[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut d = (table[i - 1][j] + 1).min(table[i][j - 1] + 1).min(table[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d = d.min(table[i - 2][j - 2] + 1);
                }
                table[i][j] = d;
            }
        }
        table[a.len()][b.len()]
    }

    #[test]
    fn osa_distance_within_a_limit_is_the_distance_or_none() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "bca",
            "a cat",
            "an abct",
            "rolling",
            "rolling_eyes",
            "rollign",
            "canary",
            "cnaary",
            "immediate",
            "bluegreen",
            "blue_green",
            "internal_port",
            "internalport",
            "intenral_prot",
            "ключ",
            "клюк",
            "kill_signal",
            "signal_kill",
            "auto_stop_machines",
            "auto_start_machines",
        ];
        for a in words {
            for b in words {
                let distance = osa_reference(a, b);
                for limit in 0..6 {
                    let expected = (distance <= limit).then_some(distance);
                    assert_eq!(osa_distance_within(a, b, limit), expected, "{a:?} {b:?} within {limit}");
                }
            }
        }
        assert_eq!(osa_reference("ab", "bca"), 3);
        assert_eq!(osa_reference("a cat", "an abct"), 4);
        assert_eq!(did_you_mean("rollign", &["canary", "rolling", "immediate", "bluegreen"]), Some("rolling"));
        assert_eq!(did_you_mean("rolling-eyes", &["canary", "rolling", "immediate", "bluegreen"]), None);
    }
}
