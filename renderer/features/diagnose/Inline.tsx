/** Text with `code` spans (command names, settings) rendered as code, the rest as plain text. */
export function Inline({ text }: { text: string }) {
  const parts = text.split(/`([^`]+)`/);
  return (
    <>
      {parts.map((p, i) =>
        i % 2 === 1 ? (
          <code key={i} className="mono dg-code">
            {p}
          </code>
        ) : (
          p
        ),
      )}
    </>
  );
}
