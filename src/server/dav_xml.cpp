#include "dav_xml.h"

#include <pugixml.hpp>

namespace nubo::server {

namespace {

// Resolves an element's namespace by walking xmlns declarations up the tree.
QName qualifiedName(const pugi::xml_node& node)
{
    const std::string_view full = node.name();
    const auto colon = full.find(':');
    const std::string prefix = colon == std::string_view::npos ? std::string() : std::string(full.substr(0, colon));
    const std::string local = std::string(colon == std::string_view::npos ? full : full.substr(colon + 1));
    const std::string attribute = prefix.empty() ? "xmlns" : "xmlns:" + prefix;
    for (pugi::xml_node n = node; n && n.type() == pugi::node_element; n = n.parent()) {
        if (const auto a = n.attribute(attribute.c_str()))
            return {a.value(), local};
    }
    return {std::string(), local};
}

bool is(const pugi::xml_node& node, std::string_view ns, std::string_view local)
{
    const auto q = qualifiedName(node);
    return q.ns == ns && q.local == local;
}

std::string_view prefixFor(std::string_view ns)
{
    if (ns == kNsDav)
        return "d";
    if (ns == kNsOc)
        return "oc";
    if (ns == kNsNc)
        return "nc";
    if (ns == kNsSabre)
        return "s";
    return {};
}

// Writes <name>content</name> (or <name/>), declaring unknown namespaces inline.
void writeElement(std::string& out, const QName& name, std::string_view content)
{
    std::string tag;
    std::string declaration;
    if (const auto prefix = prefixFor(name.ns); !prefix.empty()) {
        tag = std::string(prefix) + ":" + name.local;
    } else {
        tag = "x:" + name.local;
        declaration = " xmlns:x=\"" + xmlEscapeAttribute(name.ns) + "\"";
        if (name.ns.empty()) {
            tag = name.local;
            declaration = " xmlns=\"\"";
        }
    }
    out += '<';
    out += tag;
    out += declaration;
    if (content.empty()) {
        out += "/>";
        return;
    }
    out += '>';
    out += content;
    out += "</";
    out += tag;
    out += '>';
}

} // namespace

std::string xmlEscapeAttribute(std::string_view text)
{
    std::string out;
    for (const char c : xmlEscape(text)) {
        if (c == '"')
            out += "&quot;";
        else
            out += c;
    }
    return out;
}

std::expected<PropfindRequest, std::string> parsePropfind(std::string_view body)
{
    PropfindRequest request;
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return request;
    pugi::xml_document doc;
    const auto parsed = doc.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_auto);
    if (!parsed)
        return std::unexpected(std::string("Malformed PROPFIND body: ") + parsed.description());
    const auto root = doc.document_element();
    if (!is(root, kNsDav, "propfind"))
        return std::unexpected(std::string("The root element must be {DAV:}propfind"));
    for (const auto child : root.children()) {
        if (child.type() != pugi::node_element)
            continue;
        if (is(child, kNsDav, "allprop")) {
            request.kind = PropfindRequest::Kind::AllProp;
            return request;
        }
        if (is(child, kNsDav, "propname")) {
            request.kind = PropfindRequest::Kind::PropName;
            return request;
        }
        if (is(child, kNsDav, "prop")) {
            request.kind = PropfindRequest::Kind::Prop;
            for (const auto prop : child.children()) {
                if (prop.type() == pugi::node_element)
                    request.props.push_back(qualifiedName(prop));
            }
            return request;
        }
    }
    return request; // <propfind/> with nothing recognisable: allprop, as SabreDAV does
}

std::string xmlEscape(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

MultiStatusWriter::MultiStatusWriter()
{
    m_out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
            "<d:multistatus xmlns:d=\"DAV:\" xmlns:s=\"http://sabredav.org/ns\" "
            "xmlns:oc=\"http://owncloud.org/ns\" xmlns:nc=\"http://nextcloud.org/ns\">";
}

void MultiStatusWriter::addResponse(std::string_view encodedHref, const std::vector<PropValue>& found, const std::vector<QName>& missing)
{
    m_out += "<d:response><d:href>";
    m_out += xmlEscape(encodedHref);
    m_out += "</d:href>";
    if (!found.empty()) {
        m_out += "<d:propstat><d:prop>";
        for (const auto& [name, content] : found)
            writeElement(m_out, name, content);
        m_out += "</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>";
    }
    if (!missing.empty()) {
        m_out += "<d:propstat><d:prop>";
        for (const auto& name : missing)
            writeElement(m_out, name, {});
        m_out += "</d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>";
    }
    m_out += "</d:response>";
}

std::string MultiStatusWriter::finish()
{
    m_out += "</d:multistatus>\n";
    return std::move(m_out);
}

std::string davErrorXml(std::string_view exception, std::string_view message)
{
    std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                      "<d:error xmlns:d=\"DAV:\" xmlns:s=\"http://sabredav.org/ns\">\n  <s:exception>";
    out += xmlEscape(exception);
    out += "</s:exception>\n  <s:message>";
    out += xmlEscape(message);
    out += "</s:message>\n</d:error>\n";
    return out;
}

} // namespace nubo::server
