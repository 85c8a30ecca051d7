// The Lake view's model below the UI: zones and table folders from the metadata, folder listings
// folded page by page, watermark files, Delta logs, parquet footers and the preview policy. Pure:
// the storage adapter (src/azure/lake) reads the bytes, these functions say what they mean.
export * from './zones';
export * from './listing';
export * from './watermark';
export * from './deltaLog';
export * from './parquetFooter';
export * from './preview';
export { redactSecrets } from '../text/redact';
