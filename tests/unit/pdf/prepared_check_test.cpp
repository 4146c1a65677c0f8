// check_prepared(): every way a compromised worker could lie about its reply is caught.

#include <boost/test/unit_test.hpp>

#include <functional>
#include <string>

#include "pdf/prepared_check.hpp"

namespace signet::pdf::test {
namespace {

const std::string original_text = "%PDF-1.4 original";

std::vector<std::uint8_t> original() { return {original_text.begin(), original_text.end()}; }

// The original, then "<" + 2 * 4 zeros + ">" and a tail, as an honest worker returns it.
PreparedDocument honest() {
    std::string text = original_text + " update<00000000>tail";
    PreparedDocument prepared;
    prepared.bytes.assign(text.begin(), text.end());
    const std::size_t open = text.find('<');
    prepared.byte_range = {0, open, open + 10, text.size() - (open + 10)};
    prepared.contents_offset = open + 1;
    prepared.contents_size = 4;
    return prepared;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(prepared_check_test)

BOOST_AUTO_TEST_CASE(an_honest_reply_passes) { BOOST_TEST(check_prepared(original(), 4, honest()).has_value()); }

BOOST_AUTO_TEST_CASE(every_lie_is_caught) {
    const std::vector<std::pair<std::string, std::function<void(PreparedDocument&)>>> lies{
        {"changed original", [](PreparedDocument& p) { p.bytes[3] = 'X'; }},
        {"no update", [](PreparedDocument& p) { p.bytes.resize(original_text.size()); }},
        {"other size", [](PreparedDocument& p) { p.contents_size = 3; }},
        {"range not from 0", [](PreparedDocument& p) { p.byte_range[0] = 1; }},
        {"placeholder in the original", [](PreparedDocument& p) { p.byte_range[1] = 2; }},
        {"gap too wide", [](PreparedDocument& p) { p.byte_range[2] += 1; p.byte_range[3] -= 1; }},
        {"not to the end", [](PreparedDocument& p) { p.byte_range[3] -= 1; }},
        {"beyond the end", [](PreparedDocument& p) { p.byte_range[3] += 1; }},
        {"huge numbers", [](PreparedDocument& p) { p.byte_range[1] = ~std::size_t{0} - 3; }},
        {"offset elsewhere", [](PreparedDocument& p) { p.contents_offset += 1; }},
        {"no '<'", [](PreparedDocument& p) { p.bytes[p.byte_range[1]] = ' '; }},
        {"no '>'", [](PreparedDocument& p) { p.bytes[p.byte_range[2] - 1] = ' '; }},
        {"not zeros", [](PreparedDocument& p) { p.bytes[p.contents_offset + 2] = 'A'; }},
    };
    for (const auto& [name, lie] : lies) {
        BOOST_TEST_CONTEXT(name) {
            PreparedDocument prepared = honest();
            lie(prepared);
            auto checked = check_prepared(original(), 4, prepared);
            BOOST_TEST(!checked.has_value());
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace signet::pdf::test
