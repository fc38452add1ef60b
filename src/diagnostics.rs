//! Diagnostics as data: what the validator found, where (byte spans into the source), how bad, and what to do.
//!
//! Owns [`Diagnostic`], positions ([`LineIndex`]: 1-based line:column and UTF-16 offsets for JavaScript) and the
//! terminal rendering of a source snippet. Knows nothing about TOML or fly.toml; spans are converted to positions
//! only at the boundary.

use std::fmt::Write as _;
use std::ops::Range;

use serde::Serialize;

/// How bad a finding is. Only errors make a config invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A byte range into the source (`start..end`, `end` exclusive). Empty spans point between two bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    /// A span from a byte range.
    pub fn new(start: usize, end: usize) -> Self {
        Self { start, end: end.max(start) }
    }

    /// The span clamped to `source` and widened to whole characters (start back, end forward), so that it covers
    /// every character it touches: a parser's error span may start or end inside a multi-byte character.
    pub fn on_char_boundaries(self, source: &str) -> Span {
        let start = source.floor_char_boundary(self.start);
        Span { start, end: source.ceil_char_boundary(self.end.max(start)) }
    }

    /// The source text under the span, if the span lies on character boundaries within `source`.
    pub fn text(self, source: &str) -> Option<&str> {
        source.get(self.start..self.end)
    }
}

impl From<Range<usize>> for Span {
    fn from(range: Range<usize>) -> Self {
        Span::new(range.start, range.end)
    }
}

/// A secondary location that explains the primary one ("first defined here").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable, kebab-case identifier (`unknown-key`, `check-interval-too-short`, …): safe to match on.
    pub code: &'static str,
    /// One line, no trailing period.
    pub message: String,
    pub span: Span,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Label>,
}

impl Diagnostic {
    fn new(severity: Severity, code: &'static str, message: impl Into<String>, span: Span) -> Self {
        Self { severity, code, message: message.into(), span, help: None, labels: Vec::new() }
    }

    /// An error: the config would be rejected (by flyctl or by the Machines API).
    pub fn error(code: &'static str, message: impl Into<String>, span: Span) -> Self {
        Self::new(Severity::Error, code, message, span)
    }

    /// A warning: accepted, but probably not what was meant.
    pub fn warning(code: &'static str, message: impl Into<String>, span: Span) -> Self {
        Self::new(Severity::Warning, code, message, span)
    }

    /// Information: worth knowing, nothing to fix.
    pub fn info(code: &'static str, message: impl Into<String>, span: Span) -> Self {
        Self::new(Severity::Info, code, message, span)
    }

    /// Adds a help line.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a secondary label.
    #[must_use]
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label { span, message: message.into() });
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A position in the source, for people (1-based line and column, in characters) and for JavaScript (UTF-16 offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
pub struct Position {
    pub line: u32,
    pub column: u32,
    pub utf16: u32,
}

/// Line starts of one source text, in bytes and in UTF-16 units, for turning byte offsets into [`Position`]s in
/// O(log lines + line length), whatever the number of diagnostics.
#[derive(Debug, Clone)]
pub struct LineIndex<'s> {
    source: &'s str,
    line_starts: Vec<usize>,
    /// `None` for ASCII text, whose UTF-16 offsets are its byte offsets.
    line_starts_utf16: Option<Vec<usize>>,
}

impl<'s> LineIndex<'s> {
    /// Indexes `source` in one pass over its bytes (UTF-16 line starts equal byte starts for ASCII text).
    pub fn new(source: &'s str) -> Self {
        let bytes = source.as_bytes();
        // Lines average a few dozen bytes; sized for that, the list rarely grows.
        let mut line_starts = Vec::with_capacity(source.len() / 24 + 1);
        line_starts.push(0);
        // A char pattern searches with `memchr`, a word at a time: several times faster than a byte loop in wasm.
        line_starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        let line_starts_utf16 = if source.is_ascii() {
            None
        } else {
            // A UTF-16 unit per character start, two for the 4-byte (astral) ones.
            let mut units = 0;
            let mut starts = Vec::with_capacity(line_starts.len());
            starts.push(0);
            for byte in bytes {
                if byte & 0xC0 != 0x80 {
                    units += if *byte >= 0xF0 { 2 } else { 1 };
                }
                if *byte == b'\n' {
                    starts.push(units);
                }
            }
            Some(starts)
        };
        Self { source, line_starts, line_starts_utf16 }
    }

    /// The 0-based line holding byte `offset` (clamped to the source).
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset).saturating_sub(1)
    }

    /// The position of byte `offset` (clamped to the source and to a character boundary).
    pub fn position(&self, offset: usize) -> Position {
        let offset = self.source.floor_char_boundary(offset);
        let line = self.line_of(offset);
        let before = &self.source[self.line_starts[line]..offset];
        let (columns, utf16) = before.chars().fold((0, 0), |(n, u), c| (n + 1, u + c.len_utf16()));
        let number = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Position {
            line: number(line + 1),
            column: number(columns + 1),
            utf16: number(
                self.line_starts_utf16.as_ref().map_or(self.line_starts[line], |starts| starts[line]) + utf16,
            ),
        }
    }

    /// The text of 0-based line `line`, without its line break.
    fn line_text(&self, line: usize) -> &'s str {
        let start = self.line_starts[line];
        let end = self.line_starts.get(line + 1).copied().unwrap_or(self.source.len());
        self.source[start..end].trim_end_matches(['\n', '\r'])
    }
}

/// A diagnostic with its positions resolved: what the JavaScript API and JSON output carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
pub struct LocatedDiagnostic {
    #[serde(flatten)]
    pub diagnostic: Diagnostic,
    pub start: Position,
    pub end: Position,
}

/// Resolves the positions of every diagnostic.
pub fn locate(source: &str, diagnostics: &[Diagnostic]) -> Vec<LocatedDiagnostic> {
    diagnostics
        .iter()
        .zip(positions(source, diagnostics))
        .map(|(d, [start, end])| LocatedDiagnostic { diagnostic: d.clone(), start, end })
        .collect()
}

/// The start and end positions of each diagnostic, in order, without copying the diagnostics (what the JavaScript
/// binding writes beside them).
///
/// Up to [`ONE_PASS_DIAGNOSTICS`] diagnostics, one pass over the source up to the last offset, the offsets taken in
/// ascending order: building a line index for a few dozen offsets was a tenth of a validation in Node. More, the line
/// index. Both give what [`LineIndex::position`] gives.
pub fn positions(source: &str, diagnostics: &[Diagnostic]) -> Vec<[Position; 2]> {
    // A clean file (what CI validates most) needs neither.
    if diagnostics.is_empty() {
        return Vec::new();
    }
    if diagnostics.len() > ONE_PASS_DIAGNOSTICS {
        let index = LineIndex::new(source);
        return diagnostics.iter().map(|d| [index.position(d.span.start), index.position(d.span.end)]).collect();
    }
    // (offset, slot): slot 2i is diagnostic i's start, 2i + 1 its end.
    let mut offsets: Vec<(usize, usize)> = diagnostics
        .iter()
        .flat_map(|d| [d.span.start, d.span.end])
        .enumerate()
        .map(|(slot, offset)| (source.floor_char_boundary(offset), slot))
        .collect();
    // An insertion sort: the offsets are few, and mostly in order already (diagnostics are sorted by their start).
    for sorted in 1..offsets.len() {
        let mut at = sorted;
        while at > 0 && offsets[at - 1] > offsets[at] {
            offsets.swap(at - 1, at);
            at -= 1;
        }
    }
    let ascii = offsets.last().is_none_or(|&(last, _)| source.as_bytes()[..last].is_ascii());
    let number = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let mut found = vec![[Position { line: 0, column: 0, utf16: 0 }; 2]; diagnostics.len()];
    // Everything before `scanned` is counted: its lines, and its length in UTF-16 units.
    let (mut scanned, mut scanned_utf16, mut line, mut line_start) = (0, 0, 0, 0);
    for (offset, slot) in offsets {
        let segment = &source.as_bytes()[scanned..offset];
        let newlines = count_newlines(segment);
        if newlines > 0 {
            line += newlines;
            line_start = scanned + segment.iter().rposition(|&b| b == b'\n').map_or(0, |at| at + 1);
        }
        if !ascii {
            scanned_utf16 += utf16_len(&source[scanned..offset]);
        }
        scanned = offset;
        let before = &source[line_start..offset];
        let columns = if ascii { before.len() } else { before.chars().count() };
        found[slot / 2][slot % 2] = Position {
            line: number(line + 1),
            column: number(columns + 1),
            utf16: number(if ascii { offset } else { scanned_utf16 }),
        };
    }
    found
}

/// Above this many diagnostics, [`positions`] builds a line index instead of sorting their offsets for one pass.
const ONE_PASS_DIAGNOSTICS: usize = 64;

/// The number of `\n` bytes, eight at a time: a byte of `word ^ "\n\n…"` is zero exactly where the text has one, and
/// the high bit of each zero byte is found without carries between bytes.
fn count_newlines(bytes: &[u8]) -> usize {
    const LOW_SEVEN: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const NEWLINES: u64 = 0x0a0a_0a0a_0a0a_0a0a;
    let mut words = bytes.chunks_exact(8);
    let mut count = 0;
    for word in &mut words {
        let word = u64::from_le_bytes(word.try_into().unwrap_or([0; 8])) ^ NEWLINES;
        let zero_bytes = !(((word & LOW_SEVEN) + LOW_SEVEN) | word | LOW_SEVEN);
        count += zero_bytes.count_ones() as usize;
    }
    count + words.remainder().iter().filter(|&&b| b == b'\n').count()
}

/// `text`'s length in UTF-16 units (JavaScript's `length`).
pub(crate) fn utf16_len(text: &str) -> usize {
    if text.is_ascii() { text.len() } else { text.chars().map(char::len_utf16).sum() }
}

/// The source cut into consecutive byte ranges that cover it, each with the most severe diagnostic over it (`None`
/// where there is none): what an editor draws its marks from. Spans are clamped to the source and to character
/// boundaries; an empty span marks the character after it, or at the end of a line the one before it (none on an
/// empty line). A sweep over the span ends: O(d log d) for d diagnostics, whatever their overlaps.
pub fn marked_runs(source: &str, diagnostics: &[Diagnostic]) -> Vec<(Span, Option<Severity>)> {
    let floor = |at: usize| source.floor_char_boundary(at);
    let ceil = |at: usize| source.ceil_char_boundary(at);
    // (offset, +1 opens / -1 closes, severity), sorted by offset.
    let mut ends: Vec<(usize, i32, Severity)> = Vec::with_capacity(diagnostics.len() * 2);
    for diagnostic in diagnostics {
        let (mut start, mut end) = (floor(diagnostic.span.start), ceil(diagnostic.span.end));
        if end <= start {
            end = start;
            let next = source[start..].chars().next().filter(|&c| c != '\n' && c != '\r');
            let previous = source[..start].chars().next_back().filter(|&c| c != '\n' && c != '\r');
            match (next, previous) {
                (Some(c), _) => end = start + c.len_utf8(),
                (None, Some(c)) => start -= c.len_utf8(),
                (None, None) => continue,
            }
        }
        ends.push((start, 1, diagnostic.severity));
        ends.push((end, -1, diagnostic.severity));
    }
    crate::sort::sort_by_key(&mut ends, |&(at, _, _)| at);
    let mut open = [0i32; 3];
    let most_severe = |open: &[i32; 3]| {
        [Severity::Error, Severity::Warning, Severity::Info]
            .into_iter()
            .zip(open)
            .find(|(_, n)| **n > 0)
            .map(|(s, _)| s)
    };
    let mut runs: Vec<(Span, Option<Severity>)> = Vec::new();
    let mut from = 0;
    for (at, change, severity) in ends {
        if at > from {
            let current = most_severe(&open);
            match runs.last_mut() {
                Some((span, last)) if *last == current => span.end = at,
                _ => runs.push((Span { start: from, end: at }, current)),
            }
            from = at;
        }
        open[severity as usize] += change;
    }
    if from < source.len() || runs.is_empty() {
        match runs.last_mut() {
            Some((span, None)) => span.end = source.len(),
            _ => runs.push((Span { start: from, end: source.len() }, None)),
        }
    }
    runs
}

/// Renders diagnostics as a terminal would show them, rustc style:
///
/// ```text
/// error[unknown-key]: unknown key `internal_prot` in [http_service]
///  --> fly.toml:7:3
///   |
/// 7 |   internal_prot = 8080
///   |   ^^^^^^^^^^^^^
///   = help: did you mean `internal_port`?
/// ```
pub fn render(source: &str, path: &str, diagnostics: &[Diagnostic]) -> String {
    let index = LineIndex::new(source);
    let mut out = String::new();
    for diagnostic in diagnostics {
        render_one(&index, path, diagnostic, &mut out);
        out.push('\n');
    }
    out
}

fn render_one(index: &LineIndex<'_>, path: &str, diagnostic: &Diagnostic, out: &mut String) {
    let start = index.position(diagnostic.span.start);
    let _ = writeln!(out, "{}[{}]: {}", diagnostic.severity.as_str(), diagnostic.code, diagnostic.message);
    let mut marks: Vec<(Span, &str, char)> = vec![(diagnostic.span, "", '^')];
    marks.extend(diagnostic.labels.iter().map(|l| (l.span, l.message.as_str(), '-')));
    let lines: Vec<usize> = {
        let mut lines: Vec<usize> =
            marks.iter().map(|(span, _, _)| index.line_of(index.source.floor_char_boundary(span.start))).collect();
        crate::sort::sort(&mut lines);
        lines.dedup();
        lines
    };
    let gutter = lines.last().map_or(1, |l| (l + 1).to_string().len());
    let pad = " ".repeat(gutter);
    let _ = writeln!(out, "{pad}--> {path}:{}:{}", start.line, start.column);
    let _ = writeln!(out, "{pad} |");
    for line in lines {
        let text = index.line_text(line);
        let _ = writeln!(out, "{:>gutter$} | {text}", line + 1);
        for (span, message, mark) in &marks {
            let from = index.source.floor_char_boundary(span.start);
            if index.line_of(from) != line {
                continue;
            }
            let line_start = index.line_starts[line];
            let line_end = line_start + text.len();
            let to = index.source.floor_char_boundary(span.end.min(line_end)).max(from);
            let indent = index.source[line_start..from].chars().map(|c| if c == '\t' { '\t' } else { ' ' });
            let width = index.source[from..to].chars().count().max(1);
            let underline: String = std::iter::repeat_n(*mark, width).collect();
            let label = if message.is_empty() { String::new() } else { format!(" {message}") };
            let _ = writeln!(out, "{pad} | {}{underline}{label}", indent.collect::<String>());
        }
    }
    if let Some(help) = &diagnostic.help {
        let _ = writeln!(out, "{pad} = help: {help}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_widen_to_the_characters_they_touch() {
        let source = "a = 'ключ😀'";
        // 'к' is bytes 5..7 and '😀' 13..17: a span inside either widens to it; one past the end is clamped.
        assert_eq!(Span::new(6, 7).on_char_boundaries(source), Span::new(5, 7));
        assert_eq!(Span::new(6, 6).on_char_boundaries(source), Span::new(5, 7));
        assert_eq!(Span::new(14, 15).on_char_boundaries(source), Span::new(13, 17));
        assert_eq!(Span::new(0, 3).on_char_boundaries(source), Span::new(0, 3));
        assert_eq!(Span::new(40, 50).on_char_boundaries(source), Span::new(18, 18));
        assert_eq!(Span::new(6, 7).on_char_boundaries(source).text(source), Some("к"));
    }

    #[test]
    fn positions_in_one_pass_agree_with_the_line_index() {
        let long = "key = \"value\"\n".repeat(40) + "ключ = '😀'\n\r\n\n" + &"x\n".repeat(9);
        for source in ["", "a", "\n\n\n", "ascii\nlines\r\nwith crlf\n", "ключ = '😀'\n\nx = 1", &long] {
            let index = LineIndex::new(source);
            // Every offset (inside characters and past the end too), as starts and ends in every order: in groups of
            // up to the one-pass limit, then all at once (the line index).
            let offsets: Vec<usize> = (0..source.len() + 3).collect();
            for group in offsets.chunks(ONE_PASS_DIAGNOSTICS).chain([&offsets[..]]) {
                check_positions(source, &index, group);
            }
        }
        assert_eq!(count_newlines(b"\n\n.\n......\n\n\n\n\n\n\n\x8a\x0b"), 10);
    }

    fn check_positions(source: &str, index: &LineIndex<'_>, offsets: &[usize]) {
        let diagnostics: Vec<Diagnostic> = offsets
            .iter()
            .zip(offsets.iter().rev())
            .map(|(&start, &end)| Diagnostic::error("test", "", Span::new(start, end)))
            .collect();
        let found = positions(source, &diagnostics);
        assert_eq!(found.len(), diagnostics.len());
        for (diagnostic, [start, end]) in diagnostics.iter().zip(found) {
            assert_eq!(start, index.position(diagnostic.span.start), "{source:?} at {}", diagnostic.span.start);
            assert_eq!(end, index.position(diagnostic.span.end), "{source:?} at {}", diagnostic.span.end);
        }
    }

    fn runs<'s>(source: &'s str, diagnostics: &[Diagnostic]) -> Vec<(&'s str, Option<Severity>)> {
        let runs = marked_runs(source, diagnostics);
        let texts: Vec<(&str, Option<Severity>)> =
            runs.into_iter().map(|(span, severity)| (span.text(source).expect("on boundaries"), severity)).collect();
        assert_eq!(texts.iter().map(|(text, _)| *text).collect::<String>(), source, "the runs cover the source");
        texts
    }

    #[test]
    fn marked_runs_cover_the_source_with_the_most_severe_mark() {
        let source = "app = \"x\"\nmemory = \"lots\"\n";
        assert_eq!(runs(source, &[]), [(source, None)]);
        assert_eq!(runs("", &[]), [("", None)]);
        let value = Span::from(19..25);
        let line = Span::from(10..25);
        assert_eq!(
            runs(source, &[Diagnostic::warning("w", "", line), Diagnostic::error("e", "", value)]),
            [
                ("app = \"x\"\n", None),
                ("memory = ", Some(Severity::Warning)),
                ("\"lots\"", Some(Severity::Error)),
                ("\n", None),
            ]
        );
        // The same severity twice, overlapping: one run.
        assert_eq!(
            runs(source, &[Diagnostic::info("a", "", Span::from(0..5)), Diagnostic::info("b", "", Span::from(3..9))]),
            [("app = \"x\"", Some(Severity::Info)), ("\nmemory = \"lots\"\n", None)]
        );
    }

    #[test]
    fn marked_runs_widen_empty_spans_and_clamp_bad_ones() {
        let source = "a = 1\n\nb = \"é\"";
        // Empty: the character after; at a line's end the one before; on an empty line nothing.
        assert_eq!(runs(source, &[Diagnostic::error("e", "", Span::from(0..0))])[0], ("a", Some(Severity::Error)));
        assert_eq!(runs(source, &[Diagnostic::error("e", "", Span::from(5..5))])[1], ("1", Some(Severity::Error)));
        assert_eq!(runs(source, &[Diagnostic::error("e", "", Span::from(6..6))]), [(source, None)]);
        // Inside `é` (two bytes) and past the end: clamped to character boundaries and to the source.
        let marked = runs(source, &[Diagnostic::warning("w", "", Span::from(12..99))]);
        assert_eq!(marked.last().unwrap(), &("é\"", Some(Severity::Warning)));
        let marked = runs(source, &[Diagnostic::warning("w", "", Span::from(13..13))]);
        assert!(marked.contains(&("é", Some(Severity::Warning))), "{marked:?}");
    }

    #[test]
    fn positions_count_lines_columns_and_utf16_units() {
        let source = "a = 1\nnom = \"é😀x\"\n";
        let index = LineIndex::new(source);
        assert_eq!(index.position(0), Position { line: 1, column: 1, utf16: 0 });
        let x = source.find('x').unwrap();
        // Before x on line 2: `nom = "` (7 units), é (2 bytes, 1 unit), 😀 (4 bytes, 2 units).
        assert_eq!(index.position(x), Position { line: 2, column: 10, utf16: 6 + 7 + 1 + 2 });
        // Offsets past the end or inside a character are clamped, never a panic.
        assert_eq!(index.position(10_000).line, 3);
        let inside_emoji = source.find('😀').unwrap() + 1;
        assert_eq!(index.position(inside_emoji).column, 9);
    }

    #[test]
    fn render_shows_the_line_and_underlines_the_span() {
        let source = "app = \"x\"\n[http_service]\n  internal_prot = 8080\n";
        let start = source.find("internal_prot").unwrap();
        let d = Diagnostic::warning(
            "unknown-key",
            "unknown key `internal_prot` in [http_service]",
            Span::new(start, start + 13),
        )
        .with_help("did you mean `internal_port`?");
        let shown = render(source, "fly.toml", &[d]);
        assert_eq!(
            shown,
            "warning[unknown-key]: unknown key `internal_prot` in [http_service]\n --> fly.toml:3:3\n  |\n3 |   internal_prot = 8080\n  |   ^^^^^^^^^^^^^\n  = help: did you mean `internal_port`?\n\n"
        );
    }

    #[test]
    fn render_survives_empty_and_out_of_range_spans() {
        let d = Diagnostic::error("syntax", "unexpected end of file", Span::new(99, 120));
        assert!(render("a = ", "fly.toml", std::slice::from_ref(&d)).contains("fly.toml:1:5"));
        assert!(render("", "fly.toml", &[d]).contains("fly.toml:1:1"));
    }
}
