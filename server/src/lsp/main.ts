// The bundled server's entry: create the connection (IPC from VS Code, stdio from other editors)
// and hand it to startServer, the seam the tests use.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

startServer(createConnection(ProposedFeatures.all));
