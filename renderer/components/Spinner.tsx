export function Spinner({ label }: { label?: string }) {
  return (
    <span className="spinner" role="status">
      <span className="spinner__dot" aria-hidden="true" />
      {label && <span className="spinner__label">{label}</span>}
    </span>
  );
}
