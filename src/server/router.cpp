#include "router.h"

#include "bulk_upload.h"
#include "server_util.h"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <openssl/rand.h>

#include <mutex>
#include <unordered_map>

namespace nubo::server {

using nlohmann::json;

namespace {

constexpr const char* kVersion = "28.0.4.1";
constexpr const char* kVersionString = "28.0.4";


Response jsonResponse(unsigned status, const json& body)
{
    return textResponse(status, body.dump(), "application/json; charset=utf-8");
}

Response unauthorized()
{
    Response r = textResponse(401, "authentication required: use Basic auth with a password or an app password\n");
    r.set("WWW-Authenticate", "Basic realm=\"Nubo\", charset=\"UTF-8\"");
    return r;
}

json capabilities(const std::string& e2eeApiVersion, bool bulkUpload)
{
    // Nextcloud adds dav.bulkupload "1.0" unless the config says bulkupload.enabled = false.
    json dav = {{"chunking", "1.0"}};
    if (bulkUpload)
        dav["bulkupload"] = "1.0";
    return {{"version",
             {{"major", 28}, {"minor", 0}, {"micro", 4}, {"string", kVersionString}, {"edition", ""},
              {"extendedSupport", false}}},
            {"capabilities",
             {{"core", {{"pollinterval", 60}, {"webdav-root", "remote.php/webdav"}}},
              {"dav", dav},
              {"files", {{"bigfilechunking", true}, {"undelete", false}, {"versioning", false}}},
              {"checksums", {{"supportedTypes", {"SHA1", "MD5"}}, {"preferredUploadType", "SHA1"}}},
              {"end-to-end-encryption", {{"enabled", true}, {"api-version", e2eeApiVersion}, {"keys-exist", false}}}}}};
}


std::string htmlEscape(std::string_view text)
{
    std::string out;
    for (const char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out.push_back(c);
        }
    }
    return out;
}


std::string loginPage(const std::string& action, const std::string& error)
{
    return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Nubo – connect a client</title>"
           "<style>body{font-family:sans-serif;max-width:24em;margin:4em auto}label,input{display:block;width:100%;"
           "margin:.3em 0}input[type=submit]{width:auto}.error{color:#b00}</style></head><body>"
           "<h1>Connect a client</h1><p>Log in to grant the client access to your files. It receives an app "
           "password of its own, which you can revoke without changing your password.</p>" +
           (error.empty() ? std::string() : "<p class=\"error\">" + htmlEscape(error) + "</p>") +
           "<form method=\"post\" action=\"" + htmlEscape(action) +
           "\"><label>User <input name=\"user\" autocomplete=\"username\" autofocus></label>"
           "<label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\"></label>"
           "<input type=\"submit\" value=\"Grant access\"></form></body></html>";
}

} // namespace

Response ocsReply(bool v2, unsigned httpStatus, const std::string& dataJson, const std::string& message)
{
    const bool ok = httpStatus < 300;
    const unsigned code = ok ? (v2 ? 200u : 100u) : httpStatus;
    json envelope = {{"ocs",
                      {{"meta", {{"status", ok ? "ok" : "failure"}, {"statuscode", code}, {"message", message}}},
                       {"data", json::parse(dataJson)}}}};
    return jsonResponse(v2 ? httpStatus : (httpStatus == 401 ? 401u : 200u), envelope);
}

namespace {
// Authorization headers already checked (the password hash is slow on purpose); cleared when an
// app password is revoked.
std::mutex authCacheMutex;
std::unordered_map<std::string, std::string> authCache; // header -> user
} // namespace

bool Router::authenticate(Request& request)
{
    std::mutex& mutex = authCacheMutex;
    auto& verified = authCache;
    const std::string header = request.header("Authorization");
    if (!header.starts_with("Basic ")) return false;
    {
        std::lock_guard lock(mutex);
        if (const auto it = verified.find(header); it != verified.end()) {
            request.user = it->second;
            return true;
        }
    }
    const auto decoded = decodeBase64(std::string_view(header).substr(6));
    if (!decoded) return false;
    const std::size_t colon = decoded->find(':');
    if (colon == std::string::npos) return false;
    const auto user = m_storage.authenticate(decoded->substr(0, colon), decoded->substr(colon + 1));
    if (!user) return false;
    request.user = *user;
    std::lock_guard lock(mutex);
    if (verified.size() > 10000) verified.clear();
    verified.emplace(header, *user);
    return true;
}

Response Router::ocs(Request& request)
{
    const bool v2 = request.path.starts_with("/ocs/v2.php/");
    const std::string endpoint = request.path.substr(std::string("/ocs/v1.php").size());
    if (endpoint == "/cloud/capabilities") {
        authenticate(request);
        return ocsReply(v2, 200, capabilities(m_e2eeApiVersion, m_bulkUpload).dump());
    }
    if (!authenticate(request)) return ocsReply(v2, 401, "{}", "Unauthorised");
    static const std::string e2eePrefix = "/apps/end_to_end_encryption/api/v";
    if (endpoint.starts_with(e2eePrefix) && endpoint.size() > e2eePrefix.size() + 2 &&
        (endpoint[e2eePrefix.size()] == '1' || endpoint[e2eePrefix.size()] == '2') &&
        endpoint[e2eePrefix.size() + 1] == '/') {
        const int apiVersion = endpoint[e2eePrefix.size()] - '0';
        return m_storage.handleE2ee(request, apiVersion, v2, endpoint.substr(e2eePrefix.size() + 2));
    }
    // Nextcloud's AppPasswordController: the app password this request carries is deleted (a client
    // logging out, or a test revoking it).
    if (endpoint == "/core/apppassword" && request.method == http::verb::delete_) {
        const std::string header = request.header("Authorization");
        const auto decoded = decodeBase64(std::string_view(header).substr(6));
        const std::size_t colon = decoded ? decoded->find(':') : std::string::npos;
        if (colon == std::string::npos || !m_storage.revokeAppPassword(request.user, decoded->substr(colon + 1)))
            return ocsReply(v2, 403, "[]", "the request was not made with an app password");
        std::lock_guard lock(authCacheMutex);
        authCache.clear();
        return ocsReply(v2, 200, "[]");
    }
    if (endpoint == "/cloud/user") {
        const json user = {{"id", request.user}, {"display-name", request.user}, {"displayname", request.user},
                           {"email", nullptr}, {"enabled", true}};
        return ocsReply(v2, 200, user.dump());
    }
    return ocsReply(v2, 404, "[]", "no such OCS endpoint");
}

Response Router::loginFlow(Request& request)
{
    const std::string base = (request.secure ? "https://" : "http://") + request.header("Host");
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(m_loginMutex);
    std::erase_if(m_logins, [&](const auto& entry) { return now - entry.second.created > std::chrono::minutes(20); });

    if (request.path == "/index.php/login/v2" && request.method == http::verb::post) {
        const std::string pollToken = randomAlphanumeric(128);
        const std::string loginToken = randomAlphanumeric(128);
        m_logins[pollToken] = PendingLogin{loginToken, {}, {}, now};
        const json reply = {{"poll", {{"token", pollToken}, {"endpoint", base + "/index.php/login/v2/poll"}}},
                            {"login", base + "/index.php/login/v2/flow/" + loginToken}};
        return jsonResponse(200, reply);
    }
    if (request.path == "/index.php/login/v2/poll" && request.method == http::verb::post) {
        std::string token = formField(request.body, "token").value_or(std::string());
        if (token.empty()) {
            if (const auto it = request.query.find("token"); it != request.query.end()) token = it->second;
        }
        const auto it = m_logins.find(token);
        if (it == m_logins.end() || it->second.appPassword.empty()) return jsonResponse(404, json::array());
        const json reply = {{"server", base}, {"loginName", it->second.user}, {"appPassword", it->second.appPassword}};
        m_logins.erase(it); // a poll token is good for one answer
        return jsonResponse(200, reply);
    }
    static const std::string flowPrefix = "/index.php/login/v2/flow/";
    if (request.path.starts_with(flowPrefix)) {
        const std::string loginToken = request.path.substr(flowPrefix.size());
        const auto pending = std::find_if(m_logins.begin(), m_logins.end(),
                                          [&](const auto& entry) { return entry.second.loginToken == loginToken; });
        if (pending == m_logins.end() || loginToken.empty()) {
            return textResponse(404, "<!DOCTYPE html><p>This login link has expired. Start again from the client.</p>",
                                "text/html; charset=utf-8");
        }
        if (request.method == http::verb::get) return textResponse(200, loginPage(request.path, ""), "text/html; charset=utf-8");
        if (request.method == http::verb::post) {
            const auto user = m_storage.authenticate(formField(request.body, "user").value_or(std::string()), formField(request.body, "password").value_or(std::string()));
            if (!user) {
                return textResponse(403, loginPage(request.path, "Wrong user or password."), "text/html; charset=utf-8");
            }
            pending->second.user = *user;
            pending->second.appPassword = m_storage.createAppPassword(*user);
            return textResponse(200,
                                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Nubo</title></head><body>"
                                "<h1>Access granted</h1><p>You can close this window and return to the client.</p>"
                                "</body></html>",
                                "text/html; charset=utf-8");
        }
    }
    return textResponse(405, "method not allowed\n");
}

Response Router::operator()(Request& request)
{
    const std::string& path = request.path;
    if (path == "/status.php" || path.ends_with("/status.php")) {
        const json status = {{"installed", true},         {"maintenance", false},     {"needsDbUpgrade", false},
                             {"version", kVersion},       {"versionstring", kVersionString},
                             {"edition", ""},             {"productname", "Nubo"},    {"extendedSupport", false}};
        return jsonResponse(200, status);
    }
    if (path.starts_with("/ocs/v1.php/") || path.starts_with("/ocs/v2.php/")) return ocs(request);
    if (path.starts_with("/remote.php/dav/files/") || path == "/remote.php/webdav" ||
        path.starts_with("/remote.php/webdav/")) {
        if (!authenticate(request)) return unauthorized();
        return m_storage.handleFiles(request);
    }
    if (path.starts_with("/remote.php/dav/uploads/")) {
        if (!authenticate(request)) return unauthorized();
        return m_storage.handleUploads(request);
    }
    if (path == kBulkUploadPath && m_bulkUpload) {
        if (!authenticate(request)) return unauthorized();
        return m_storage.handleBulk(request);
    }
    if (path.starts_with("/index.php/login/v2")) return loginFlow(request);
    if (path == "/" || path == "/index.php") return textResponse(200, "nubo-server: a Nextcloud-compatible test server\n");
    return textResponse(404, "not found: " + path + "\n");
}

} // namespace nubo::server
