/** Calls the running `housekeeper serve` the way the UI does (token header), for test setup only. */
export async function rpc<T = unknown>(openUrl: string, name: string, input: unknown): Promise<T> {
  const base = openUrl.replace(/#.*$/, '');
  const token = /#token=(.+)$/.exec(openUrl)?.[1] ?? '';
  const res = await fetch(`${base}rpc/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-housekeeper-token': token },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as { ok: boolean; value?: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${name}: ${body.error?.message}`);
  return body.value as T;
}
