// The registry: every rule, sorted by id. A test fails when a rule file is missing here,
// or lacks its doc page or fixture.
import type { Rule } from './rule';
import { confDuplicate } from './conf-duplicate';
import { confInvalidValue } from './conf-invalid-value';
import { confListenAll } from './conf-listen-all';
import { confLogConnections } from './conf-log-connections';
import { confLogDisconnections } from './conf-log-disconnections';
import { confLogLinePrefix } from './conf-log-line-prefix';
import { confLogSecrets } from './conf-log-secrets';
import { confLogStatement } from './conf-log-statement';
import { confPasswordEncryption } from './conf-password-encryption';
import { confPgaudit } from './conf-pgaudit';
import { confSocketPermissions } from './conf-socket-permissions';
import { confSslMinProtocol } from './conf-ssl-min-protocol';
import { confSslOff } from './conf-ssl-off';
import { confSslWeakCiphers } from './conf-ssl-weak-ciphers';
import { confSyntax } from './conf-syntax';
import { confUnknownParameter } from './conf-unknown-parameter';
import { hbaCleartextMethod } from './hba-cleartext-method';
import { hbaHostsslWithoutSsl } from './hba-hostssl-without-ssl';
import { hbaIdentOverTcp } from './hba-ident-over-tcp';
import { hbaMd5 } from './hba-md5';
import { hbaMissingFinalReject } from './hba-missing-final-reject';
import { hbaNoSsl } from './hba-no-ssl';
import { hbaOpenAddress } from './hba-open-address';
import { hbaPassword } from './hba-password';
import { hbaRemoteSuperuser } from './hba-remote-superuser';
import { hbaScramNeedsScramPasswords } from './hba-scram-needs-scram-passwords';
import { hbaSyntax } from './hba-syntax';
import { hbaTrust } from './hba-trust';
import { hbaUnreachable } from './hba-unreachable';
import { sqlBypassrlsRole } from './sql-bypassrls-role';
import { sqlCopyProgram } from './sql-copy-program';
import { sqlDangerousRoleGrant } from './sql-dangerous-role-grant';
import { sqlGrantAll } from './sql-grant-all';
import { sqlGrantPublic } from './sql-grant-public';
import { sqlMd5Password } from './sql-md5-password';
import { sqlPermissivePolicy } from './sql-permissive-policy';
import { sqlPlaintextPassword } from './sql-plaintext-password';
import { sqlPolicyMissingWithCheck } from './sql-policy-missing-with-check';
import { sqlPolicyWithoutRls } from './sql-policy-without-rls';
import { sqlRlsDisabled } from './sql-rls-disabled';
import { sqlRlsNoPolicy } from './sql-rls-no-policy';
import { sqlRlsNotForced } from './sql-rls-not-forced';
import { sqlSecurityDefinerPublicExecute } from './sql-security-definer-public-execute';
import { sqlSecurityDefinerSearchPath } from './sql-security-definer-search-path';
import { sqlSessionSet } from './sql-session-set';
import { sqlSuperuserRole } from './sql-superuser-role';
import { sqlTenantTableWithoutRls } from './sql-tenant-table-without-rls';
import { sqlViewBypassesRls } from './sql-view-bypasses-rls';
import { sqlSyntax } from './sql-syntax';

export const RULES: readonly Rule[] = [
  confDuplicate,
  confInvalidValue,
  confListenAll,
  confLogConnections,
  confLogDisconnections,
  confLogLinePrefix,
  confLogSecrets,
  confLogStatement,
  confPasswordEncryption,
  confPgaudit,
  confSocketPermissions,
  confSslMinProtocol,
  confSslOff,
  confSslWeakCiphers,
  confSyntax,
  confUnknownParameter,
  hbaCleartextMethod,
  hbaHostsslWithoutSsl,
  hbaIdentOverTcp,
  hbaMd5,
  hbaMissingFinalReject,
  hbaNoSsl,
  hbaOpenAddress,
  hbaPassword,
  hbaRemoteSuperuser,
  hbaScramNeedsScramPasswords,
  hbaSyntax,
  hbaTrust,
  hbaUnreachable,
  sqlBypassrlsRole,
  sqlCopyProgram,
  sqlDangerousRoleGrant,
  sqlGrantAll,
  sqlGrantPublic,
  sqlMd5Password,
  sqlPermissivePolicy,
  sqlPlaintextPassword,
  sqlPolicyMissingWithCheck,
  sqlPolicyWithoutRls,
  sqlRlsDisabled,
  sqlRlsNoPolicy,
  sqlRlsNotForced,
  sqlSecurityDefinerPublicExecute,
  sqlSecurityDefinerSearchPath,
  sqlSessionSet,
  sqlSuperuserRole,
  sqlSyntax,
  sqlTenantTableWithoutRls,
  sqlViewBypassesRls,
];

export const ruleById = new Map(RULES.map((r) => [r.id, r]));

