//! What the first bytes of an HTML page say about it: its title and first heading.

use std::sync::LazyLock;

use scraper::{Html, Selector};

use super::result::PageInfo;
use crate::extract::collapse_whitespace;

static TITLE: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("title").expect("title selector"));
static H1: LazyLock<Selector> = LazyLock::new(|| Selector::parse("h1").expect("h1 selector"));

/// Reads a page's title and first `<h1>` from a prefix of its HTML (which may be cut mid-tag).
pub fn read_page(html: &str) -> PageInfo {
    let doc = Html::parse_document(html);
    let text = |sel: &Selector| {
        doc.select(sel)
            .next()
            .map(|el| collapse_whitespace(&el.text().collect::<String>()))
            .filter(|t| !t.is_empty())
    };
    PageInfo {
        title: text(&TITLE),
        h1: text(&H1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_and_heading() {
        let page = read_page(
            "<html><head><title> US troops\n in Afghanistan - BBC News</title></head><body><h1>US troops</h1><h1>x</h1>",
        );
        assert_eq!(
            page.title.as_deref(),
            Some("US troops in Afghanistan - BBC News")
        );
        assert_eq!(page.h1.as_deref(), Some("US troops"));
        assert_eq!(read_page("<p>cut mid-ta").title, None);
    }
}
