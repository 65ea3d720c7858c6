#include "router.h"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <mutex>
#include <unordered_map>

namespace nubo::server {

using nlohmann::json;

namespace {

constexpr const char* kVersion = "28.0.4.1";
constexpr const char* kVersionString = "28.0.4";

std::optional<std::string> decodeBase64(std::string_view text)
{
    if (text.empty() || text.size() % 4 != 0) return std::nullopt;
    std::string out(text.size() / 4 * 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
    if (n < 0) return std::nullopt;
    std::size_t size = static_cast<std::size_t>(n);
    if (text.ends_with("==")) size -= 2;
    else if (text.ends_with("=")) size -= 1;
    out.resize(size);
    return out;
}

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

json capabilities()
{
    return {{"version",
             {{"major", 28}, {"minor", 0}, {"micro", 4}, {"string", kVersionString}, {"edition", ""},
              {"extendedSupport", false}}},
            {"capabilities",
             {{"core", {{"pollinterval", 60}, {"webdav-root", "remote.php/webdav"}}},
              {"dav", {{"chunking", "1.0"}, {"bulkupload", "1.0"}}},
              {"files", {{"bigfilechunking", true}, {"undelete", false}, {"versioning", false}}},
              {"checksums", {{"supportedTypes", {"SHA1", "MD5"}}, {"preferredUploadType", "SHA1"}}},
              {"end-to-end-encryption", {{"enabled", true}, {"api-version", "2.0"}, {"keys-exist", false}}}}}};
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

bool Router::authenticate(Request& request)
{
    static std::mutex mutex;
    static std::unordered_map<std::string, std::string> verified; // header -> user
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
        return ocsReply(v2, 200, capabilities().dump());
    }
    if (!authenticate(request)) return ocsReply(v2, 401, "{}", "Unauthorised");
    static const std::string e2eePrefix = "/apps/end_to_end_encryption/api/v";
    if (endpoint.starts_with(e2eePrefix) && endpoint.size() > e2eePrefix.size() + 2 &&
        (endpoint[e2eePrefix.size()] == '1' || endpoint[e2eePrefix.size()] == '2') &&
        endpoint[e2eePrefix.size() + 1] == '/') {
        const int apiVersion = endpoint[e2eePrefix.size()] - '0';
        return m_storage.handleE2ee(request, apiVersion, v2, endpoint.substr(e2eePrefix.size() + 2));
    }
    if (endpoint == "/cloud/user") {
        const json user = {{"id", request.user}, {"display-name", request.user}, {"displayname", request.user},
                           {"email", nullptr}, {"enabled", true}};
        return ocsReply(v2, 200, user.dump());
    }
    return ocsReply(v2, 404, "[]", "no such OCS endpoint");
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
    if (path == "/" || path == "/index.php") return textResponse(200, "nubo-server: a Nextcloud-compatible test server\n");
    return textResponse(404, "not found: " + path + "\n");
}

} // namespace nubo::server
