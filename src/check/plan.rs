//! The first stage: documents in, one [`CheckRequest`] per distinct URL out, with every place it is
//! cited, already judged when it cannot be fetched (invalid, excluded).

use std::collections::HashMap;

use url::Url;

use super::config::CheckConfig;
use super::drift::CitedAs;
use super::result::{Citation, Status};
use crate::extract::Document;
use crate::uri::{Uri, UriError};

/// What to do with one distinct URL.
#[derive(Debug, Clone)]
pub struct CheckRequest {
    /// The URL as first written.
    pub url: String,
    pub target: Target,
    pub cited_in: Vec<Citation>,
    /// What the citing footnotes say of the page (title, date), for drift.
    pub cited_as: Vec<CitedAs>,
    /// The `#fragments` the citations name (an element's id, or text), with the footnote of each:
    /// the page must have them.
    pub fragments: Vec<(Fragment, Option<String>)>,
    /// Words the citing sentences quote, with the footnote of each (a footnote citing this URL
    /// alone): the page must show them.
    pub quotes: Vec<(String, String)>,
}

/// The most fragments, and the most quotations, looked for on one page: each is a pass over its
/// text (a real brief cites a page a few times).
const MAX_PER_URL: usize = 32;

/// What a cited `#fragment` points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fragment {
    /// An element, by its `id` or anchor `name` (`#findings`).
    Element(String),
    /// Text of the page (`#:~:text=start,end`): each directive's start and end, decoded.
    Text(Vec<(String, Option<String>)>),
    /// A page of a PDF (`#page=12`, its open parameters).
    Page(u64),
}

/// Whether a URL is fetched, or already judged.
#[derive(Debug, Clone)]
pub enum Target {
    Fetch(Uri),
    Judged { status: Status, detail: String },
}

impl CheckRequest {
    pub(crate) fn host(&self) -> Option<String> {
        match &self.target {
            Target::Fetch(uri) => uri.as_url().host_str().map(str::to_ascii_lowercase),
            Target::Judged { .. } => None,
        }
    }
}

/// One request per distinct URL in `documents` (fragment ignored), in order of first citation.
pub fn plan(documents: &[Document], config: &CheckConfig, base: Option<&Url>) -> Vec<CheckRequest> {
    let mut requests: Vec<CheckRequest> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for doc in documents {
        let footnote_urls = doc
            .footnotes
            .iter()
            .flat_map(|f| f.urls.iter().map(move |u| (u, Some(f), f.line)));
        let links = doc.links.iter().map(|l| (&l.url, None, l.line));
        let printed = doc.format.is_print();
        for (url, footnote, line) in footnote_urls.chain(links) {
            let parsed = if printed {
                Uri::parse_printed(url).or_else(|_| Uri::parse_with_base(url, base))
            } else {
                Uri::parse_with_base(url, base)
            };
            let key = match &parsed {
                Ok(uri) => without_fragment(uri.as_url()),
                Err(_) => url.clone(),
            };
            let citation = Citation {
                path: doc.path.clone(),
                footnote: footnote.map(|f| f.id.clone()),
                line,
            };
            let cited_as = footnote
                .filter(|f| f.title.is_some() || f.date.is_some())
                .map(|f| CitedAs {
                    footnote: f.id.clone(),
                    // Only a title the footnote marks (quotes, a link, structure) is compared.
                    title: f.title.clone().filter(|_| !f.title_guessed),
                    date: f.date.clone(),
                });
            let i = *index.entry(key).or_insert_with(|| {
                requests.push(CheckRequest {
                    url: url.clone(),
                    target: target_for(url, parsed.clone(), config),
                    cited_in: Vec::new(),
                    cited_as: Vec::new(),
                    fragments: Vec::new(),
                    quotes: Vec::new(),
                });
                requests.len() - 1
            });
            let request = &mut requests[i];
            if let Some(fragment) = parsed
                .as_ref()
                .ok()
                .and_then(|u| cited_fragment(u.as_url()))
            {
                let entry = (fragment, footnote.map(|f| f.id.clone()));
                if request.fragments.len() < MAX_PER_URL && !request.fragments.contains(&entry) {
                    request.fragments.push(entry);
                }
            }
            // A quotation is looked for only where its footnote cites one page.
            if let Some(f) = footnote.filter(|f| f.urls.len() == 1) {
                for quote in &f.quotes {
                    let entry = (quote.clone(), f.id.clone());
                    if request.quotes.len() < MAX_PER_URL && !request.quotes.contains(&entry) {
                        request.quotes.push(entry);
                    }
                }
            }
            request.cited_in.push(citation);
            if let Some(cited_as) = cited_as
                && !request.cited_as.contains(&cited_as)
            {
                request.cited_as.push(cited_as);
            }
        }
    }
    requests
}

fn target_for(url: &str, parsed: Result<Uri, UriError>, config: &CheckConfig) -> Target {
    let uri = match parsed {
        Ok(uri) => uri,
        Err(err) => {
            return Target::Judged {
                status: Status::Invalid,
                detail: err.to_string(),
            };
        }
    };
    if !uri.is_http() {
        let detail = format!("{}: URLs are not fetched", uri.as_url().scheme());
        return Target::Judged {
            status: Status::Excluded,
            detail,
        };
    }
    if !config.include.is_empty() && !config.include.iter().any(|re| re.is_match(url)) {
        return Target::Judged {
            status: Status::Excluded,
            detail: "not matched by --include".into(),
        };
    }
    if let Some(re) = config.exclude.iter().find(|re| re.is_match(url)) {
        let detail = format!("matched by --exclude {}", re.as_str());
        return Target::Judged {
            status: Status::Excluded,
            detail,
        };
    }
    Target::Fetch(uri)
}

/// What a URL's fragment asks the page to have: an element, or text (`#:~:text=`), when it is
/// either.
pub(crate) fn cited_fragment(url: &Url) -> Option<Fragment> {
    let fragment = url.fragment()?;
    if let Some((_, directives)) = fragment.split_once(":~:") {
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        let texts: Vec<(String, Option<String>)> = directives
            .split('&')
            .filter_map(|d| d.strip_prefix("text="))
            .filter_map(|d| {
                // [prefix-,]start[,end][,-suffix]: the context is left out of the match.
                let parts: Vec<&str> = d
                    .split(',')
                    .filter(|p| !p.ends_with('-') && !p.starts_with('-'))
                    .collect();
                let start = decode(parts.first()?);
                (!start.trim().is_empty()).then(|| (start, parts.get(1).map(|e| decode(e))))
            })
            .collect();
        return (!texts.is_empty()).then_some(Fragment::Text(texts));
    }
    if let Some(page) = pdf_page(url) {
        return Some(Fragment::Page(page));
    }
    element_fragment(url).map(Fragment::Element)
}

/// The page a PDF's open parameters name (`#page=12`, `#page=12&zoom=50`).
fn pdf_page(url: &Url) -> Option<u64> {
    url.fragment()?
        .split('&')
        .find_map(|p| p.strip_prefix("page="))
        .and_then(|n| n.parse().ok())
}

/// A URL's fragment when it names an element of an HTML page (`#section-2`): not a text fragment
/// (`#:~:text=`), a script's route or state (`#/a`, `#!a`, `#a=b`), or a PDF's open parameters
/// (`#page=3`).
fn element_fragment(url: &Url) -> Option<String> {
    let fragment = url.fragment().filter(|f| !f.is_empty())?;
    if fragment.starts_with([':', '/', '!'])
        || fragment.contains(['=', '&', '?', '/'])
        || fragment.contains(":~:")
    {
        return None;
    }
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    Some(fragment.to_owned())
}

/// The URL without its fragment: what is fetched, and the key of a distinct URL.
pub(crate) fn without_fragment(url: &Url) -> String {
    let mut u = url.clone();
    u.set_fragment(None);
    u.to_string()
}
