// Login flow v2 against nubo-server, the way a client and a browser walk through it.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http_client.h"
#include "server_process.h"

namespace nubo::itest {
namespace {

using nlohmann::json;

TEST(ServerLoginFlow, IssuesAnAppPasswordAfterTheBrowserLogsIn)
{
    ServerProcess server(NUBO_SERVER_BINARY);
    server.addUser("alice", "secret");
    server.start();
    HttpClient client(server.host(), server.port());

    const Reply start = client.request("POST", "/index.php/login/v2");
    ASSERT_EQ(start.status, 200u) << start.body;
    const json flow = json::parse(start.body);
    const std::string pollToken = flow["poll"]["token"];
    const std::string endpoint = flow["poll"]["endpoint"];
    const std::string login = flow["login"];
    ASSERT_TRUE(endpoint.starts_with(server.baseUrl()));
    ASSERT_TRUE(login.starts_with(server.baseUrl()));
    const std::string pollTarget = endpoint.substr(server.baseUrl().size());
    const std::string loginTarget = login.substr(server.baseUrl().size());
    const HeaderList formType = {{"Content-Type", "application/x-www-form-urlencoded"}};

    EXPECT_EQ(client.request("POST", pollTarget, formType, "token=" + pollToken).status, 404u) << "not logged in yet";

    HttpClient browser(server.host(), server.port());
    const Reply page = browser.get(loginTarget);
    ASSERT_EQ(page.status, 200u);
    EXPECT_NE(page.body.find("<form"), std::string::npos);
    EXPECT_EQ(browser.request("POST", loginTarget, formType, "user=alice&password=wrong").status, 403u);
    ASSERT_EQ(browser.request("POST", loginTarget, formType, "user=alice&password=secret").status, 200u);

    const Reply done = client.request("POST", pollTarget, formType, "token=" + pollToken);
    ASSERT_EQ(done.status, 200u) << done.body;
    const json credentials = json::parse(done.body);
    EXPECT_EQ(credentials["loginName"], "alice");
    EXPECT_EQ(credentials["server"], server.baseUrl());
    const std::string appPassword = credentials["appPassword"];
    EXPECT_EQ(appPassword.size(), 72u);
    EXPECT_EQ(client.request("POST", pollTarget, formType, "token=" + pollToken).status, 404u) << "answered once";

    HttpClient app(server.host(), server.port());
    app.setBasicAuth("alice", appPassword);
    EXPECT_EQ(app.propfind("/remote.php/dav/files/alice/", "0", "").status, 207u);
    app.setBasicAuth("alice", appPassword + "x");
    EXPECT_EQ(app.propfind("/remote.php/dav/files/alice/", "0", "").status, 401u);
    EXPECT_EQ(browser.get("/index.php/login/v2/flow/unknown").status, 404u);
}

} // namespace
} // namespace nubo::itest
