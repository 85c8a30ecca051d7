// Azure adapters of the deploy: the factory (FactoryApi on @azure/arm-datafactory) and the lake's
// watermark files (WatermarkStore on @azure/storage-blob).
export {
  ArmFactoryApi,
  createFactoryClient,
  factoryError,
  FactoryApiError,
  ARM_SEGMENT,
  DEFAULT_ARM_ENDPOINT,
  type FactoryConnection,
  type FactoryCredential,
} from './factoryApi';
export { BlobWatermarkStore } from './watermarkStore';
