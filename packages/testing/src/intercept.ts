/**
 * A D1 binding that calls `before` with the SQL of each round trip (a statement's first/all/run/raw,
 * or a whole batch) before it goes out, in the sessions it opens (`withSession`) as well. Fault
 * injection and the benchmark's query meter use it.
 */
export function interceptD1<D extends D1Database | D1DatabaseSession>(
  d1: D,
  before: (statements: string[]) => void,
): D {
  const real = new WeakMap<object, { statement: D1PreparedStatement; sql: string }>();
  const wrap = (statement: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const wrapped = new Proxy(statement, {
      get(target, property) {
        if (property === "bind") return (...values: unknown[]) => wrap(target.bind(...values), sql);
        if (
          property === "first" ||
          property === "all" ||
          property === "run" ||
          property === "raw"
        ) {
          return (...args: unknown[]) => {
            before([sql]);
            return Reflect.apply(target[property] as (...a: unknown[]) => unknown, target, args);
          };
        }
        const value = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    real.set(wrapped, { statement, sql });
    return wrapped;
  };
  return new Proxy(d1, {
    get(target, property) {
      if (property === "withSession" && "withSession" in target)
        return (start?: string) => interceptD1(target.withSession(start), before);
      if (property === "prepare") return (sql: string) => wrap(target.prepare(sql), sql);
      if (property === "batch") {
        return (statements: D1PreparedStatement[]) => {
          const originals = statements.map(
            (statement) => real.get(statement) ?? { statement, sql: "" },
          );
          before(originals.map(({ sql }) => sql));
          return target.batch(originals.map(({ statement }) => statement));
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
