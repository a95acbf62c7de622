// Identifier systems and code systems named by more than one definition.
Alias: $hsa-id = urn:oid:1.2.752.129.2.1.4.1
