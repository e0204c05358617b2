// Text put into an HTML page (the monthly report, the citizen's error pages):
// the five characters HTML gives a meaning to, as character references.
#pragma once

#include <string>
#include <string_view>

namespace hallq::core {

// `text` with & < > " ' replaced by &amp; &lt; &gt; &quot; &#39;, safe in
// element content and in quoted attribute values; everything else as is.
std::string html_escape(std::string_view text);

}  // namespace hallq::core
