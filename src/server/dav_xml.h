// WebDAV XML: parsing PROPFIND bodies (pugixml, with namespace resolution) and writing
// 207 Multi-Status and SabreDAV-style error documents.
#pragma once

#include <compare>
#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nubo::server {

inline constexpr std::string_view kNsDav = "DAV:";
inline constexpr std::string_view kNsOc = "http://owncloud.org/ns";
inline constexpr std::string_view kNsNc = "http://nextcloud.org/ns";
inline constexpr std::string_view kNsSabre = "http://sabredav.org/ns";

struct QName {
    std::string ns;
    std::string local;
    auto operator<=>(const QName&) const = default;
};

struct PropfindRequest {
    enum class Kind { AllProp, PropName, Prop };
    Kind kind = Kind::AllProp;
    std::vector<QName> props; // Kind::Prop: the requested properties, in request order
};

// An empty (or whitespace-only) body means allprop. Error: a message for a 400.
std::expected<PropfindRequest, std::string> parsePropfind(std::string_view body);

// Escapes &, < and > for element content; the attribute variant also escapes '"'.
std::string xmlEscape(std::string_view text);
std::string xmlEscapeAttribute(std::string_view text);

// One found property: its name and its content as an XML fragment (already escaped).
using PropValue = std::pair<QName, std::string>;

class MultiStatusWriter {
public:
    MultiStatusWriter();
    void addResponse(std::string_view encodedHref, const std::vector<PropValue>& found, const std::vector<QName>& missing);
    std::string finish();

private:
    std::string m_out;
};

// <d:error> body like SabreDAV's, for error responses.
std::string davErrorXml(std::string_view exception, std::string_view message);

} // namespace nubo::server
