import type { MetadataPolicy } from '@ndi-mesh/kernel';

/**
 * The federation's metadata policy for every subordinate (rule FED-R3): systems authenticate
 * with private_key_jwt only and use the client credentials grant only, signed with ES256.
 */
export const FEDERATION_POLICY: MetadataPolicy = {
  oauth_client: {
    token_endpoint_auth_method: { one_of: ['private_key_jwt'], default: 'private_key_jwt' },
    grant_types: { subset_of: ['client_credentials'], default: ['client_credentials'] },
  },
  oauth_authorization_server: {
    token_endpoint_auth_methods_supported: { subset_of: ['private_key_jwt'] },
    grant_types_supported: { subset_of: ['client_credentials'] },
  },
};
