//! `--shard K/N`: a CI matrix's share of the checks, by site. Every URL of a registrable domain (the
//! public suffix list's: `news.bbc.co.uk` and `www.bbc.co.uk` are `bbc.co.uk`) goes to one shard, so
//! one host is only ever asked by one job, and the per-host politeness of `--host-concurrency`,
//! `--host-interval` and `Retry-After` holds however many jobs there are.

use std::collections::HashMap;

use super::plan::{CheckRequest, Target};

/// The site a request belongs to: the registrable domain of its host, the host itself when it has
/// none (an IP address, `localhost`, a name under no public suffix), or the URL as written when it
/// is not fetched (an invalid or excluded URL, judged without the network).
pub fn site(request: &CheckRequest) -> String {
    match &request.target {
        Target::Fetch(uri) => {
            let host = uri.as_url().host_str().unwrap_or_default();
            let host = host.trim_end_matches('.').to_ascii_lowercase();
            psl::domain_str(&host)
                .filter(|d| d.contains('.'))
                .map_or_else(|| host.clone(), str::to_owned)
        }
        Target::Judged { .. } => request.url.clone(),
    }
}

/// Which of `n` shards (from 0) each request goes to. Sites are dealt whole, the largest first
/// (ties in name order), each to the shard with the fewest URLs so far (ties: the lower shard): a
/// big site does not leave one job with all the work, and shard sizes differ by at most the largest
/// site's URL count. Every job of a matrix computes the same answer from the same documents.
pub fn shards(requests: &[CheckRequest], n: usize) -> Vec<usize> {
    let n = n.max(1);
    let sites: Vec<String> = requests.iter().map(site).collect();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for s in &sites {
        *counts.entry(s.as_str()).or_default() += 1;
    }
    let mut by_size: Vec<(&str, usize)> = counts.into_iter().collect();
    by_size.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut load = vec![0usize; n];
    let mut shard_of: HashMap<&str, usize> = HashMap::new();
    for (s, count) in by_size {
        let lightest = (0..n).min_by_key(|&i| (load[i], i)).unwrap_or(0);
        load[lightest] += count;
        shard_of.insert(s, lightest);
    }
    sites.iter().map(|s| shard_of[s.as_str()]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{CheckConfig, plan};
    use crate::extract::{ExtractOptions, InputFormat, extract};

    fn requests(urls: &[String]) -> Vec<CheckRequest> {
        let text: String = urls.iter().map(|u| format!("See {u}\n")).collect();
        let doc = extract(
            "a.txt",
            &text,
            InputFormat::Text,
            &ExtractOptions::default(),
        );
        plan(&[doc], &CheckConfig::default(), None)
    }

    #[test]
    fn a_site_is_never_split_and_shards_stay_balanced() {
        let mut urls = Vec::new();
        // One big site over two hosts, mid-sized and small ones.
        for i in 0..30 {
            urls.push(format!("https://www.bbc.co.uk/news/{i}"));
            urls.push(format!("https://news.bbc.co.uk/{i}"));
        }
        for site in 0..20 {
            for i in 0..=(site % 7) {
                urls.push(format!("https://www.example{site}.org/{i}"));
            }
        }
        urls.push("http://127.0.0.1:8080/x".into());
        urls.push("http://localhost/y".into());
        let requests = requests(&urls);
        assert_eq!(requests.len(), urls.len());
        for n in 1..=5 {
            let which = shards(&requests, n);
            // Every URL in exactly one shard, every site in one shard.
            let mut site_shard: HashMap<String, usize> = HashMap::new();
            for (r, &s) in requests.iter().zip(&which) {
                assert!(s < n);
                let prior = site_shard.insert(site(r), s);
                assert!(prior.is_none_or(|p| p == s), "{} split", site(r));
            }
            assert_eq!(site(&requests[0]), "bbc.co.uk");
            assert_eq!(site(&requests[1]), "bbc.co.uk");
            let mut sizes = vec![0usize; n];
            for &s in &which {
                sizes[s] += 1;
            }
            let largest_site = 60;
            let spread = sizes.iter().max().unwrap() - sizes.iter().min().unwrap();
            assert!(spread <= largest_site, "{sizes:?}");
            if n == 2 {
                // 60 bbc.co.uk URLs against the 80 + 2 others: as even as whole sites allow.
                assert!(spread <= 7, "{sizes:?}");
            }
        }
    }
}
