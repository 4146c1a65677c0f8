// check_prepared(): every way a compromised worker could lie about its reply is caught.

#include <boost/test/unit_test.hpp>

#include <functional>
#include <string>

#include "pdf/worker/prepared_check.hpp"

namespace signet::pdf::test {
namespace {

const std::string original_text = "%PDF-1.4 original";

// " update<" + 2 * 4 zeros + ">tail", to follow the original, as an honest worker returns it.
PreparedDocument honest() {
    const std::string update = " update<00000000>tail";
    PreparedDocument prepared;
    prepared.original_size = original_text.size();
    prepared.update.assign(update.begin(), update.end());
    const std::size_t open = original_text.size() + update.find('<');
    const std::size_t size = original_text.size() + update.size();
    prepared.byte_range = {0, open, open + 10, size - (open + 10)};
    prepared.contents_offset = open + 1;
    prepared.contents_size = 4;
    return prepared;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(prepared_check_test)

BOOST_AUTO_TEST_CASE(an_honest_reply_passes) {
    BOOST_TEST(check_prepared(original_text.size(), 4, honest()).has_value());
}

BOOST_AUTO_TEST_CASE(every_lie_is_caught) {
    const std::size_t original = original_text.size();
    const std::vector<std::pair<std::string, std::function<void(PreparedDocument&)>>> lies{
        {"other original size", [](PreparedDocument& p) { p.original_size += 1; }},
        {"no update", [](PreparedDocument& p) { p.update.clear(); }},
        {"other size", [](PreparedDocument& p) { p.contents_size = 3; }},
        {"range not from 0", [](PreparedDocument& p) { p.byte_range[0] = 1; }},
        {"placeholder in the original", [](PreparedDocument& p) { p.byte_range[1] = 2; }},
        {"placeholder just before the update",
         [=](PreparedDocument& p) {
             p.byte_range = {0, original - 1, original + 9,
                             p.byte_range[3] + p.byte_range[2] - original - 9};
             p.contents_offset = original;
         }},
        {"gap too wide",
         [](PreparedDocument& p) {
             p.byte_range[2] += 1;
             p.byte_range[3] -= 1;
         }},
        {"not to the end", [](PreparedDocument& p) { p.byte_range[3] -= 1; }},
        {"beyond the end", [](PreparedDocument& p) { p.byte_range[3] += 1; }},
        {"huge numbers", [](PreparedDocument& p) { p.byte_range[1] = ~std::size_t{0} - 3; }},
        {"offset elsewhere", [](PreparedDocument& p) { p.contents_offset += 1; }},
        {"no '<'", [=](PreparedDocument& p) { p.update[p.byte_range[1] - original] = ' '; }},
        {"no '>'", [=](PreparedDocument& p) { p.update[p.byte_range[2] - 1 - original] = ' '; }},
        {"not zeros",
         [=](PreparedDocument& p) { p.update[p.contents_offset + 2 - original] = 'A'; }},
    };
    for (const auto& [name, lie] : lies) {
        BOOST_TEST_CONTEXT(name) {
            PreparedDocument prepared = honest();
            lie(prepared);
            auto checked = check_prepared(original, 4, prepared);
            BOOST_TEST(!checked.has_value());
        }
    }
}

BOOST_AUTO_TEST_CASE(an_update_must_end_as_a_reader_expects) {
    auto tail = [](const std::string& text) {
        return check_update_tail(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
    };
    BOOST_TEST(tail("1 0 obj<<>>endobj\nxref\n0 1\ntrailer<<>>\nstartxref\n1234\n%%EOF\n").has_value());
    BOOST_TEST(tail("...startxref\r\n99\r\n%%EOF").has_value());
    BOOST_TEST(!tail("").has_value());
    BOOST_TEST(!tail("startxref\n1234\n").has_value());          // no %%EOF
    BOOST_TEST(!tail("startxref\n%%EOF\n").has_value());         // no offset
    BOOST_TEST(!tail("trailer\n1234\n%%EOF\n").has_value());    // no startxref
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace signet::pdf::test
