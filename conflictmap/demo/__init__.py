"""The built-in demo corpus: Iraq, June to September 2014 (iraq-2014.jsonl), and its hand-checked
gold places (iraq-2014.gold.jsonl); README.md says where the articles come from."""
