// Login Flow v2 from the client's side against a real nubo-server: the browser's part is played
// over HTTP here (the form the login page shows), the client's by LoginFlow.
#include "account.h"
#include "http_client.h"
#include "login_flow.h"
#include "browser_login.h"
#include "server_process.h"

#include <QUrlQuery>
#include <gtest/gtest.h>

using namespace nubo::sync;
using nubo::itest::ServerProcess;

namespace {

using nubo::itest::logInWithTheBrowser;

TEST(LoginFlow, AnAppPasswordArrivesOnceAfterTheBrowserLogsInAndOpensTheAccount)
{
    ServerProcess server(NUBO_SERVER_BINARY);
    server.addUser("alice", "secret");
    server.start();
    // As the user may type it: a path into the web interface is cut back to the server's root.
    auto flow = LoginFlow::start(server.baseUrl() + "/index.php/apps/files/");
    ASSERT_TRUE(flow.has_value()) << flow.error().message;
    EXPECT_TRUE(flow->loginUrl().starts_with(server.baseUrl())) << flow->loginUrl();

    auto early = flow->poll();
    ASSERT_TRUE(early.has_value()) << early.error().message;
    EXPECT_FALSE(early->has_value()) << "nothing before the user logged in";

    EXPECT_EQ(logInWithTheBrowser(flow->loginUrl(), "alice", "wrong"), 403);
    auto stillNothing = flow->poll();
    ASSERT_TRUE(stillNothing.has_value());
    EXPECT_FALSE(stillNothing->has_value());

    EXPECT_EQ(logInWithTheBrowser(flow->loginUrl(), "alice", "secret"), 200);
    auto done = flow->poll();
    ASSERT_TRUE(done.has_value()) << done.error().message;
    ASSERT_TRUE(done->has_value());
    const LoginCredentials credentials = **done;
    EXPECT_EQ(credentials.server, server.baseUrl());
    EXPECT_EQ(credentials.loginName, "alice");
    EXPECT_NE(credentials.appPassword, "secret");

    auto again = flow->poll();
    ASSERT_TRUE(again.has_value());
    EXPECT_FALSE(again->has_value()) << "the server answers a token once";

    AccountConfig config;
    config.serverUrl = credentials.server;
    config.user = credentials.loginName;
    config.password = credentials.appPassword;
    auto account = Account::connect(config);
    ASSERT_TRUE(account.has_value()) << account.error().message;
    EXPECT_EQ((*account)->davUser(), "alice");

    // Revoked (Nextcloud's DELETE /ocs/v2.php/core/apppassword), it opens nothing any more; the
    // user's own password still does.
    HttpRequest revoke;
    revoke.method = "DELETE";
    revoke.url = QUrl(QString::fromStdString(server.baseUrl() + "/ocs/v2.php/core/apppassword"));
    revoke.ocs = true;
    auto revoked = (*account)->http()->send(revoke, {200});
    ASSERT_TRUE(revoked.has_value()) << revoked.error().message;
    auto refused = Account::connect(config);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, SyncErrorCode::Auth) << refused.error().message;
    config.password = "secret";
    EXPECT_TRUE(Account::connect(config).has_value());
    HttpClientOptions userPassword;
    userPassword.user = "alice";
    userPassword.password = "secret";
    HttpClient withUserPassword(userPassword);
    auto notAnAppPassword = withUserPassword.send(revoke);
    ASSERT_TRUE(notAnAppPassword.has_value());
    EXPECT_EQ(notAnAppPassword->status, 403) << "the user's own password is not revoked this way";
}

TEST(LoginFlow, ANameThatIsNotAServerIsAClearError)
{
    auto flow = LoginFlow::start("http://127.0.0.1:9"); // the discard port: nothing listens
    ASSERT_FALSE(flow.has_value());
    EXPECT_EQ(flow.error().code, SyncErrorCode::Network) << flow.error().message;
}

} // namespace
