package sandbox

import "strings"

// lang is a response language. Only the languages with a column in dict have
// translations; every other supported code answers English, as the provider
// does where no translation exists.
type lang uint8

const (
	langEN lang = iota
	langJA
	langRU
	langZH
)

// supportedLangs are the codes the provider documents (plus the jp alias). A
// code outside this set is ignored and English is answered.
var supportedLangs = map[string]lang{
	"en": langEN, "ja": langJA, "jp": langJA, "ru": langRU, "zh": langZH,
	"es": langEN, "fr": langEN, "de": langEN, "ko": langEN, "pt": langEN,
	"pt-br": langEN, "ar": langEN, "hi": langEN, "vi": langEN, "ur": langEN,
	"bn-bd": langEN,
}

// parseLang maps a lang parameter to a lang; unknown codes fall back to English.
func parseLang(s string) lang {
	if l, ok := supportedLangs[strings.ToLower(strings.TrimSpace(s))]; ok {
		return l
	}
	return langEN
}

// tr translates an English catalog term. Terms without an entry (brand names,
// mostly) come back unchanged.
func tr(s string, l lang) string {
	if l == langEN || s == "" {
		return s
	}
	if e, ok := dict[s]; ok {
		if t := e[l-1]; t != "" {
			return t
		}
	}
	return s
}

// dict holds translations: ja, ru, zh.
var dict = map[string][3]string{
	// SMM categories (brand names stay as they are, except X's double name).
	"X / Twitter": {"X（旧Twitter）", "X (Twitter)", "X（推特）"},

	// Product categories.
	"Accounts-Email":      {"アカウント-メール", "Аккаунты-Почта", "账号-邮箱"},
	"Accounts-Social":     {"アカウント-SNS", "Аккаунты-Соцсети", "账号-社交媒体"},
	"Accounts-Messengers": {"アカウント-メッセンジャー", "Аккаунты-Мессенджеры", "账号-即时通讯"},
	"Accounts-Gaming":     {"アカウント-ゲーム", "Аккаунты-Игры", "账号-游戏"},
	"Proxies":             {"プロキシ", "Прокси", "代理"},
	"Subscriptions":       {"サブスクリプション", "Подписки", "订阅服务"},

	// SMM subcategories.
	"Followers":         {"フォロワー", "Подписчики", "粉丝"},
	"Likes":             {"いいね", "Лайки", "点赞"},
	"Views":             {"再生回数", "Просмотры", "观看次数"},
	"Comments":          {"コメント", "Комментарии", "评论"},
	"Subscribers":       {"チャンネル登録者", "Подписчики канала", "订阅者"},
	"Shares":            {"シェア", "Репосты", "分享"},
	"Saves":             {"保存", "Сохранения", "收藏"},
	"Story Views":       {"ストーリー閲覧", "Просмотры историй", "快拍观看"},
	"Members":           {"メンバー", "Участники", "成员"},
	"Post Views":        {"投稿閲覧数", "Просмотры постов", "帖子浏览量"},
	"Reactions":         {"リアクション", "Реакции", "表情回应"},
	"Retweets":          {"リツイート", "Ретвиты", "转推"},
	"Watch Hours":       {"総再生時間", "Часы просмотра", "观看时长"},
	"Plays":             {"再生数", "Прослушивания", "播放次数"},
	"Monthly Listeners": {"月間リスナー", "Слушатели в месяц", "月度听众"},
	"Live Viewers":      {"ライブ視聴者", "Зрители трансляции", "直播观众"},
	"Page Likes":        {"ページいいね", "Лайки страницы", "主页点赞"},

	// Product subcategories that are not brand names.
	"Residential":  {"住宅用", "Резидентные", "住宅"},
	"Datacenter":   {"データセンター", "Дата-центр", "数据中心"},
	"Mobile 4G":    {"モバイル4G", "Мобильные 4G", "移动4G"},
	"ISP Static":   {"ISP固定", "Статические ISP", "ISP静态"},
	"AI Tools":     {"AIツール", "ИИ-инструменты", "AI工具"},
	"Design":       {"デザイン", "Дизайн", "设计"},
	"Music":        {"音楽", "Музыка", "音乐"},
	"Video":        {"動画", "Видео", "视频"},
	"Productivity": {"生産性", "Продуктивность", "办公效率"},
	"Education":    {"教育", "Образование", "教育"},

	// SMM service variants.
	"Cheapest":                     {"最安", "Самые дешёвые", "最便宜"},
	"Mixed Quality":                {"品質ミックス", "Смешанное качество", "混合质量"},
	"Real HQ":                      {"高品質リアル", "Реальные HQ", "真人高质量"},
	"Premium [30 Days Refill]":     {"プレミアム [30日補充]", "Премиум [докрутка 30 дней]", "高级 [30天补充]"},
	"Non-Drop [Lifetime Refill]":   {"減少なし [永久補充]", "Без списаний [пожизненная докрутка]", "不掉 [终身补充]"},
	"Instant Start":                {"即時開始", "Мгновенный старт", "即时开始"},
	"Targeted USA":                 {"アメリカ向け", "Целевые США", "美国定向"},
	"Custom Comments":              {"カスタムコメント", "Свои комментарии", "自定义评论"},
	"Custom Comments [Real Users]": {"カスタムコメント [実ユーザー]", "Свои комментарии [реальные пользователи]", "自定义评论 [真实用户]"},
	"Random Positive":              {"ランダム（ポジティブ）", "Случайные позитивные", "随机好评"},
	"Emoji":                        {"絵文字", "Эмодзи", "表情符号"},

	// Product name parts.
	"Account":              {"アカウント", "Аккаунт", "账号"},
	"Proxy":                {"プロキシ", "Прокси", "代理"},
	"Subscription":         {"サブスクリプション", "Подписка", "订阅"},
	"USA":                  {"アメリカ", "США", "美国"},
	"UK":                   {"イギリス", "Великобритания", "英国"},
	"Germany":              {"ドイツ", "Германия", "德国"},
	"Mixed Countries":      {"複数国", "Разные страны", "多国混合"},
	"Worldwide":            {"全世界", "Весь мир", "全球"},
	"Phone Verified":       {"電話認証済み", "С подтверждённым телефоном", "手机已验证"},
	"Aged":                 {"熟成", "Возрастной", "老号"},
	"With Followers (1K+)": {"フォロワー付き (1K+)", "С подписчиками (1K+)", "带粉丝 (1K+)"},
	"Region Free":          {"リージョンフリー", "Без региона", "全区通用"},
	"Aged (Level 10+)":     {"熟成 (レベル10+)", "Возрастной (уровень 10+)", "老号 (10级+)"},
	"Private Account":      {"個人アカウント", "Личный аккаунт", "独享账号"},
	"Activation Code":      {"アクティベーションコード", "Код активации", "激活码"},

	// Subproducts (variants of a product).
	"Standard":          {"スタンダード", "Стандарт", "标准"},
	"With 2FA":          {"2FA付き", "С 2FA", "带2FA"},
	"With Email Access": {"メールアクセス付き", "С доступом к почте", "含邮箱访问"},
	"Fresh":             {"新規", "Новый", "新号"},
	"Aged 6 Months":     {"6ヶ月熟成", "Возраст 6 месяцев", "6个月老号"},
	"Aged 1 Year":       {"1年熟成", "Возраст 1 год", "1年老号"},
	"Aged 3+ Years":     {"3年以上熟成", "Возраст 3+ года", "3年以上老号"},
	"1 Month":           {"1ヶ月", "1 месяц", "1个月"},
	"3 Months":          {"3ヶ月", "3 месяца", "3个月"},
	"12 Months":         {"12ヶ月", "12 месяцев", "12个月"},
	"1 GB":              {"1 GB", "1 ГБ", "1 GB"},
	"5 GB":              {"5 GB", "5 ГБ", "5 GB"},
	"10 GB":             {"10 GB", "10 ГБ", "10 GB"},
	"1 Day":             {"1日", "1 день", "1天"},
	"7 Days":            {"7日", "7 дней", "7天"},
	"30 Days":           {"30日", "30 дней", "30天"},

	// SMS countries.
	"United States":  {"アメリカ合衆国", "США", "美国"},
	"United Kingdom": {"イギリス", "Великобритания", "英国"},
	"France":         {"フランス", "Франция", "法国"},
	"India":          {"インド", "Индия", "印度"},
	"Brazil":         {"ブラジル", "Бразилия", "巴西"},
	"Canada":         {"カナダ", "Канада", "加拿大"},
	"Spain":          {"スペイン", "Испания", "西班牙"},
	"Italy":          {"イタリア", "Италия", "意大利"},
	"Netherlands":    {"オランダ", "Нидерланды", "荷兰"},
	"Poland":         {"ポーランド", "Польша", "波兰"},
	"Indonesia":      {"インドネシア", "Индонезия", "印度尼西亚"},
	"Philippines":    {"フィリピン", "Филиппины", "菲律宾"},
	"Vietnam":        {"ベトナム", "Вьетнам", "越南"},
	"Thailand":       {"タイ", "Таиланд", "泰国"},
	"Mexico":         {"メキシコ", "Мексика", "墨西哥"},
	"Turkey":         {"トルコ", "Турция", "土耳其"},
	"Japan":          {"日本", "Япония", "日本"},
	"Kazakhstan":     {"カザフスタン", "Казахстан", "哈萨克斯坦"},
	"Nigeria":        {"ナイジェリア", "Нигерия", "尼日利亚"},

	// SMS projects.
	"Google / Gmail / YouTube": {"Google / Gmail / YouTube", "Google / Gmail / YouTube", "谷歌 / Gmail / YouTube"},
	"Microsoft / Outlook":      {"マイクロソフト / Outlook", "Microsoft / Outlook", "微软 / Outlook"},
	"Amazon":                   {"アマゾン", "Amazon", "亚马逊"},
	"Apple":                    {"Apple", "Apple", "苹果"},
	"Any Other Service":        {"その他のサービス", "Любой другой сервис", "其他任何服务"},
}
