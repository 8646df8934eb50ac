// Escaping text for XML attributes and content (JUnit reports).
//
//   xml += "<failure message=\"" + XmlEscape(explanation) + "\"/>";
#pragma once

#include <string>
#include <string_view>

namespace rwttt {

// `s` with & < > " ' replaced by entities and other control characters (which XML 1.0 forbids)
// by spaces, so that any message is safe in an attribute or in content.
std::string XmlEscape(std::string_view s);

}  // namespace rwttt
