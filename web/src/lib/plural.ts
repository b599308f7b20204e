/** "1 member", "2 members": English count words (the client's only language). */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
