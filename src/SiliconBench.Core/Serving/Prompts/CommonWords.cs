namespace SiliconBench.Serving.Prompts;

/// <summary>
/// Everyday lowercase English words: the candidates for prompt pieces. Almost every LLM vocabulary holds most of
/// them as single tokens (with and without a leading space); a tokenizer's prompt vocabulary keeps only those that are,
/// and the vocabulary of the synthetic models is built from them.
/// </summary>
public static class CommonWords
{
    public static IReadOnlyList<string> All { get; } =
    [
        "the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on", "not", "he",
        "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they", "you", "were", "their",
        "one", "all", "we", "can", "her", "has", "there", "been", "if", "more", "when", "will", "would", "who", "so",
        "no", "time", "people", "year", "about", "into", "only", "new", "some", "could", "them", "these", "may", "first",
        "then", "do", "any", "like", "my", "now", "over", "such", "our", "man", "me", "even", "most", "made", "after",
        "also", "did", "many", "before", "must", "through", "back", "years", "where", "much", "your", "way", "well",
        "down", "should", "because", "each", "just", "those", "how", "too", "little", "state", "good", "very", "make",
        "world", "still", "own", "see", "men", "work", "long", "get", "here", "between", "both", "life", "being",
        "under", "never", "day", "same", "another", "know", "while", "last", "might", "us", "great", "old",
        "off", "come", "since", "against", "go", "came", "right", "used", "take", "three", "house", "use", "during",
        "without", "again", "place", "around", "however", "home", "small", "found", "thought", "went", "say", "part",
        "once", "general", "high", "upon", "school", "every", "does", "got", "united", "left", "number", "course",
        "war", "until", "always", "away", "something", "fact", "though", "water", "less", "public", "put", "think",
        "almost", "hand", "enough", "far", "took", "head", "yet", "government", "system", "better", "set", "told",
        "nothing", "night", "end", "why", "called", "didn", "eyes", "find", "going", "look", "asked", "later", "knew",
        "point", "next", "program", "city", "business", "give", "group", "toward", "young", "days", "let", "room",
        "president", "side", "social", "given", "present", "several", "order", "national", "possible", "rather",
        "second", "face", "per", "among", "form", "important", "often", "things", "looked", "early", "white", "case",
        "john", "become", "large", "big", "need", "four", "within", "felt", "along", "children", "saw", "best",
        "church", "ever", "least", "power", "development", "light", "thing", "seemed", "family", "interest", "want",
        "members", "mind", "country", "area", "others", "done", "turned", "although", "open", "god", "service",
        "certain", "kind", "problem", "began", "different", "door", "thus", "help", "sense", "means", "whole",
        "matter", "perhaps", "itself", "york", "times", "law", "human", "line", "above", "name", "example", "action",
        "company", "hands", "local", "show", "whether", "five", "history", "gave", "either", "today", "act", "feet",
        "across", "taken", "past", "quite", "anything", "seen", "having", "death", "week", "experience", "body",
        "word", "half", "really", "field", "am", "car", "words", "already", "themselves", "information", "tell",
        "together", "college", "shall", "money", "period", "held", "keep", "sure", "probably", "free", "seems",
        "political", "real", "cannot", "behind", "miss", "question", "air", "office", "making", "brought", "whose",
        "special", "major", "heard", "problems", "federal", "became", "study", "ago", "moment", "available", "known",
        "result", "street", "economic", "boy", "position", "reason", "change", "south", "board", "individual", "job",
        "areas", "society", "west", "close", "turn", "love", "community", "true", "court", "force", "full", "seem",
        "market", "age", "wife", "future", "wanted", "voice", "center", "common", "necessary", "policy", "front",
        "sometimes", "six", "girl", "clear", "further", "land", "run", "students", "provide", "feel", "party", "able",
        "mother", "music", "education", "university", "child", "effect", "level", "stood", "military", "town",
        "short", "morning", "total", "outside", "rate", "figure", "class", "art", "century", "washington", "north",
        "usually", "plan", "leave", "therefore", "evidence", "top", "million", "sound", "black", "strong", "hard",
        "various", "says", "believe", "type", "value", "play", "surface", "soon", "mean", "near", "lines", "table",
        "peace", "modern", "tax", "road", "red", "book", "personal", "process", "situation", "minutes", "increase",
        "idea", "english", "alone", "women", "gone", "nor", "amount", "doing", "living", "started", "longer", "cut",
        "finally", "third", "nature", "private", "secretary", "section", "greater", "call", "fire", "expected",
        "needed", "kept", "ground", "view", "values", "everything", "pressure", "dark", "basis", "space", "east",
        "father", "required", "spirit", "union", "complete", "except", "wrote", "moved", "support", "return", "stage",
        "conditions", "recent", "attention", "late", "particular", "hope", "live", "costs", "else", "brown", "taking",
        "couldn", "hours", "person", "forces", "beyond", "report", "coming", "inside", "dead", "low", "stop", "rest",
        "material", "instead", "data", "model", "token", "memory", "speed", "energy", "cost", "batch", "signal",
    ];
}
