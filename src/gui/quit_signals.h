// SIGTERM, SIGINT and SIGHUP (a session that ends, Ctrl-C in a terminal, `kill`) end nubo the way
// "Quit" does: the event loop returns, each folder stops its run where the journal is consistent
// and its thread ends, and the locks are released. Without this, the default action killed the
// process in the middle of a transfer. A second signal while stopping ends it at once.
#pragma once

class QCoreApplication;

namespace nubo::gui {

// Installs the handlers (the self-pipe pattern: the handler only writes a byte; the event loop
// reads it and quits). Call once, after the application object exists. False when the pipe could
// not be made (the signals then keep their default action).
bool quitOnTerminationSignals(QCoreApplication& app);

} // namespace nubo::gui
