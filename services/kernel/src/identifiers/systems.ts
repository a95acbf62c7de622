/**
 * The identifier systems of the Swedish national identities, as HL7 Sweden's base profiles
 * (basprofiler-r4) and the national platform's contracts write them.
 */
export const PERSONNUMMER_SYSTEM = 'urn:oid:1.2.752.129.2.1.3.1';
export const SAMORDNINGSNUMMER_SYSTEM = 'urn:oid:1.2.752.129.2.1.3.3';
export const HSA_ID_SYSTEM = 'urn:oid:1.2.752.129.2.1.4.1';
