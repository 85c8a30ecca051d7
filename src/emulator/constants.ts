// The fixed names of the local environment. The product shows it as `local`, labelled "local
// emulator", never as Azure; its subscription, resource group and factory never change, so a
// project, a script or a test can name them without asking the emulator.

/** The environment name (lakehouse deploy --env local, lakehouse runs --env local). */
export const LOCAL_ENVIRONMENT = 'local';
/** How the UI labels it. */
export const LOCAL_ENVIRONMENT_LABEL = 'local emulator';

/** A UUID (ARM wants one) that no Azure subscription has: "10ca1" reads "local". */
export const LOCAL_SUBSCRIPTION_ID = '10ca1000-0000-4000-8000-000000000000';
export const LOCAL_RESOURCE_GROUP = 'rg-lakehouse-local';
export const LOCAL_FACTORY = 'adf-lakehouse-local';
export const LOCAL_LOCATION = 'local';

/** The scope clients ask their credential for (the emulator accepts any bearer token). */
export const LOCAL_CREDENTIAL_SCOPE = 'https://management.azure.com/.default';

/** Azurite's well-known development account (public, documented by Microsoft: not a secret). */
export const DEV_STORAGE_ACCOUNT = 'devstoreaccount1';
export const DEV_STORAGE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** The state file a running emulator writes in its folder, for `lakehouse emulator stop` and the extension. */
export const STATE_FILE_NAME = 'emulator.json';
