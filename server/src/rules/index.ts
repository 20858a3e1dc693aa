// The registry: every rule, sorted by id. A test fails when a rule file is missing here,
// or lacks its doc page or fixture.
import type { Rule } from './rule';
import { hbaCleartextMethod } from './hba-cleartext-method';
import { hbaIdentOverTcp } from './hba-ident-over-tcp';
import { hbaMd5 } from './hba-md5';
import { hbaMissingFinalReject } from './hba-missing-final-reject';
import { hbaNoSsl } from './hba-no-ssl';
import { hbaOpenAddress } from './hba-open-address';
import { hbaPassword } from './hba-password';
import { hbaRemoteSuperuser } from './hba-remote-superuser';
import { hbaSyntax } from './hba-syntax';
import { hbaTrust } from './hba-trust';
import { hbaUnreachable } from './hba-unreachable';

export const RULES: readonly Rule[] = [
  hbaCleartextMethod,
  hbaIdentOverTcp,
  hbaMd5,
  hbaMissingFinalReject,
  hbaNoSsl,
  hbaOpenAddress,
  hbaPassword,
  hbaRemoteSuperuser,
  hbaSyntax,
  hbaTrust,
  hbaUnreachable,
];

export const ruleById = new Map(RULES.map((r) => [r.id, r]));

export const DOCS_BASE_URL = 'https://github.com/pg-hardening/pg-hardening/blob/main/docs/rules/';
