// validateConfig's result for JavaScript, built here from what the core hands over: numbers and one string, read in
// the order `src/js/config.rs` (`ValidationWriter`) writes them. Building the objects here with literals is several
// times faster than JSON.parse of the same result, which was a seventh of a validation.
//
// `config` is a getter that asks the core for the config on first use (through `reader`, with the result's id and
// source) and keeps it. Most callers read only `ok` and `diagnostics` (editors, CI), and handing the config over
// (serialising it, then JSON.parse) is about a third of a validation. The getter is enumerable, so JSON.stringify,
// spreading and structuredClone see `config` like any other property; assigning to it replaces it.

const SEVERITIES = ["error", "warning", "info"];

// `numbers` (a Uint32Array) holds counts, flags, offsets and, for each string, its length in UTF-16 units; `text`
// holds the strings back to back. Layout: ok; diagnostic count; per diagnostic: severity, code, message, span start,
// span end, help flag (then help), label count (then per label: span start, span end, message), start line, column,
// UTF-16 offset, end line, column, UTF-16 offset; process group count, the groups; the default group.
export function validationResult(numbers, text, reader, id, source) {
  let n = 0;
  let at = 0;
  const string = () => {
    const end = at + numbers[n++];
    const value = text.slice(at, end);
    at = end;
    return value;
  };
  const ok = numbers[n++] === 1;
  const diagnostics = [];
  for (let count = numbers[n++]; count > 0; count--) {
    const severity = SEVERITIES[numbers[n++]];
    const code = string();
    const message = string();
    const span = { start: numbers[n++], end: numbers[n++] };
    const help = numbers[n++] === 1 ? string() : undefined;
    let labels;
    const labelCount = numbers[n++];
    if (labelCount > 0) {
      labels = [];
      for (let i = 0; i < labelCount; i++) {
        const span = { start: numbers[n++], end: numbers[n++] };
        labels.push({ span, message: string() });
      }
    }
    const start = { line: numbers[n++], column: numbers[n++], utf16: numbers[n++] };
    const end = { line: numbers[n++], column: numbers[n++], utf16: numbers[n++] };
    // Each shape as one literal (fields in the order the types declare), so V8 makes it without transitions.
    if (labels === undefined) {
      diagnostics.push(
        help === undefined
          ? { severity, code, message, span, start, end }
          : { severity, code, message, span, help, start, end },
      );
    } else {
      diagnostics.push(
        help === undefined
          ? { severity, code, message, span, labels, start, end }
          : { severity, code, message, span, help, labels, start, end },
      );
    }
  }
  const processGroups = [];
  for (let count = numbers[n++]; count > 0; count--) processGroups.push(string());
  const defaultGroup = string();

  let config;
  let unread = true;
  return {
    ok,
    get config() {
      if (unread) {
        config = reader(id, source);
        unread = false;
      }
      return config;
    },
    set config(value) {
      config = value;
      unread = false;
    },
    diagnostics,
    processGroups,
    defaultGroup,
  };
}

// The source text into the core's buffer: TextEncoder.encodeInto writes UTF-8 straight into it (lone surrogates
// become U+FFFD, as in every string wasm-bindgen passes), many times faster than the glue's character loop. Returns
// the bytes written, or -1 when the buffer was too small for the whole text.
const encoder = new TextEncoder();
export function encodeSource(source, buffer) {
  const { read, written } = encoder.encodeInto(source, buffer);
  return read === source.length ? written : -1;
}
