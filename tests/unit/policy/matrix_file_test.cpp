// The matrix file: the shipped one loads, and each kind of mistake stops the load with the
// line where it is.

#include <algorithm>

#include <boost/test/unit_test.hpp>

#include "tests/support/temp_dir.hpp"
#include "tests/unit/policy/tenants.hpp"

namespace {

using namespace signet;
using namespace signet::policy;

// The shipped text with `from` replaced by `to` (first occurrence), and the line of the change.
std::pair<std::string, int> damaged(const std::string& from, const std::string& to) {
    std::string text = signet::test::read_file(SIGNET_RIGHTS_MATRIX);
    auto at = text.find(from);
    if (at == std::string::npos) throw std::runtime_error("not in the matrix: " + from);
    text.replace(at, from.size(), to);
    int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
    return {text, line};
}

void expect_line(const std::string& from, const std::string& to, const std::string& words, int offset = 0) {
    auto [text, line] = damaged(from, to);
    auto loaded = Matrix::parse(text, "rights-matrix.toml");
    BOOST_REQUIRE_MESSAGE(!loaded, "loaded despite: " << to);
    BOOST_TEST((loaded.error().code == signet::Errc::invalid_config));
    const std::string& message = loaded.error().message;
    BOOST_TEST(message.find("rights-matrix.toml, line " + std::to_string(line + offset) + ":") == 0U, message);
    BOOST_TEST(message.find(words) != std::string::npos, message);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(matrix_file)

BOOST_AUTO_TEST_CASE(the_shipped_file_loads) {
    BOOST_TEST(signet::test::shipped_matrix().actions().size() == 24U);
}

BOOST_AUTO_TEST_CASE(mistakes_name_their_line) {
    expect_line(R"(croec = ["president"])", R"(croec = ["treasurer"])", "treasurer");
    expect_line(R"(cabinet = ["ec"])", R"(cabinet = ["ec", "nouveau"])", "nouveau");
    expect_line(R"(cabinet = ["ec"])", R"(cabinet = ["collaborator"])", "only what is delegated");
    expect_line(R"(approval = ["preparer"])", R"(approval = ["ec"])", "is not a delegation");
    // A TOML syntax error: toml++ notices the unclosed array on the next line.
    expect_line(R"(cabinet = ["ec"])", R"(cabinet = ["ec")", "expected comma", 1);
    // An action without its croec cell: the message points at the action's table, two lines up.
    expect_line("croec = [\"secretary_general\"]\n\n[actions.\"platform.dashboard\"]", "\n[actions.\"platform.dashboard\"]",
                "no croec cell", -2);
}

BOOST_AUTO_TEST_CASE(a_new_delegation_is_a_data_change) {
    auto [text, line] = damaged(R"(delegations = ["signer", "lancer", "sceller", "preparer"])",
                                R"(delegations = ["signer", "lancer", "sceller", "preparer", "archiver"])");
    (void)line;
    auto loaded = Matrix::parse(text, "rights-matrix.toml");
    BOOST_REQUIRE(loaded);
    BOOST_TEST(loaded->has_delegation("archiver"));
    // "all" cells open to the new delegation at once; the others only where it is named.
    BOOST_TEST(loaded->cell("platform.dashboard", TenantKind::cabinet).allowed.contains("archiver"));
    BOOST_TEST(!loaded->cell("document.seal", TenantKind::cabinet).allowed.contains("archiver"));
}

BOOST_AUTO_TEST_SUITE_END()
