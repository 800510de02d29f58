// Options more than one command group declares, worded once.
export const PASSPHRASE_FILE = ['--passphrase-file <file>', 'file holding the passphrase of an encrypted backup (else $MCP_BACKUP_PASSPHRASE)'] as const;
