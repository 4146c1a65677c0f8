#pragma once
// PDFs made at run time by producers that Debian packages (no committed fixtures): ghostscript's
// ps2pdf, groff, and qpdf's rewrites (object streams, linearized, encrypted).

#include <filesystem>
#include <string>
#include <vector>

namespace signet::test {

// `pages` pages of text through ps2pdf; with `uncompressed`, qpdf expands the streams so the
// file is large (about 2.5 KB a page).
std::filesystem::path ps2pdf_sample(const std::filesystem::path& dir, const std::string& name,
                                    int pages, bool uncompressed = false);
std::filesystem::path groff_sample(const std::filesystem::path& dir);
// A one-page ps2pdf letter's bytes, made once per test process.
const std::string& sample_letter();
std::filesystem::path qpdf_rewrite(const std::filesystem::path& input,
                                   const std::filesystem::path& output,
                                   const std::vector<std::string>& options);

}  // namespace signet::test
