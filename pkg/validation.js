// validateConfig's result for JavaScript: `config` is a getter that asks the core for the config on first use (through
// `reader`, with the result's id and source) and keeps it. Most callers read only `ok` and `diagnostics` (editors, CI),
// and handing the config over (serialising it, then JSON.parse) is about a third of a validation. The getter is
// enumerable, so JSON.stringify, spreading and structuredClone see `config` like any other property; assigning to it
// replaces it.
export function withLazyConfig(result, reader, id, source) {
  // Every other field passes through as the core made it (`config` keeps its place, second).
  const { ok, config: _placeholder, ...rest } = result;
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
    ...rest,
  };
}
