// Moved to main/core/batches/ (shared by purge and retention); kept so code written against the old path still builds.
export { JsonlSink, type ExportRow } from '../batches/export-sink';
