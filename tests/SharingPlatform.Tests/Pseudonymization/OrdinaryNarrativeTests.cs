extern alias server;

using server::SharingPlatform.Server.Cases;

namespace SharingPlatform.Tests.Pseudonymization;

/// <summary>
/// Ordinary documentation, written the way partners write it, that the ingest guard must let through: dates and
/// times of events, ages, durations, counts and ranges, facility numbers, years, region codes, app names without a
/// handle, and the digit words of Korean and Chinese inside ordinary sentences.
/// </summary>
public sealed class OrdinaryNarrativeTests
{
    public static readonly string[] Corpus =
    [
        "Arrested on 15 March 2024 in Shenyang with two others.",
        "Arrested on 2024-03-15 14:30 at Dandong bus station; transferred on 2024-03-20.",
        "Held from 15.03.2024-20.03.2024 at Tumen, then sent back.",
        "Detained 15/03/2024 - 20/03/2024 in Hunchun.",
        "Reported on 3/15/2024 10:00 by a church contact.",
        "Aged 17 at the time of arrest; held for 3 months.",
        "She was 16 or 17, held 2-3 weeks in a cell with 12 women.",
        "Detention Centre No. 2, Shenyang (CN-LN).",
        "Kyo-hwa-so No. 12, Jongori; later Camp 15.",
        "Repatriated in October 2023 with about 500-600 people through Dandong.",
        "Between 2019 and 2021 she worked on a farm near Yanji.",
        "Sent back in the April 2024 wave (50-200 people reported).",
        "Crossed in 2017, arrested 2019, repatriated 2020.",
        "Worked 2015-2018 in a restaurant, 2018-2023 on a farm.",
        "In 1998 2003 and 2010 the family moved; no later trace.",
        "Case reference demo-00042, cross-checked with two sources.",
        "Held in cell 3 of block 4; about 40 detainees; 2 guards at night.",
        "The 2023-10 transfer included 500 people according to a missionary.",
        "Interrogated 5 times, lost 10 kg, released after 45 days.",
        "Three relatives (mother, 2 brothers) remain in KP-09.",
        "Source graded B2; corroborated by 3 witnesses in 2024.",
        "She was sent back at Tumen. Police there handed her to the MSS.",
        "Met the broker at Yanji station at 10 pm, then left at dawn.",
        "He stayed at home.Later he was arrested at the market.",
        "They kept in touch on WeChat until the arrest, then the account was deleted.",
        "The LINE of detainees crossed the bridge; a signal from the guards stopped them.",
        "Signal was lost near the border; her KakaoTalk messages stopped in 2023.",
        "Contact by Telegram is too risky; the family uses a courier.",
        "Price paid to the broker: 30,000 yuan in 2 instalments.",
        "Travelled 1,200 km from Shenyang to Kunming in 4 days.",
        "Version 2.1 of the report, page 14, paragraph 3.",
        "Born 1994 in North Hamgyong; arrested in March 2024.",
        "At 6:30 on 9 October 2023 buses left Tumen with about 600 people.",
        "2023년 10월 9일 강제북송, 투먼 경유.",
        "2024. 3. 15. 선양에서 체포, 2024. 4. 26. 북송.",
        "이 사람은 2019년에 탈북했고 이번에 다시 체포되었다.",
        "어머니와 함께 일이 년 동안 연길에서 일했다.",
        "삼 일 동안 구금된 뒤 이사 간 집에서 다시 체포되었다.",
        "17세, 구금 3개월, 2023년 10월 북송.",
        "육이오 전쟁 이후 가족이 이산되었다는 진술.",
        "2023年10月9日在图们被遣返，约五六百人。",
        "二〇二三年十月九日强制遣返，同行者三四十人。",
        "她在沈阳被捕，关押了一个月，之后转到丹东。",
        "一九九四年出生，二〇一九年越境。",
        "第二看守所，关押约五十人，三个人一间。",
        "2024年3月15日被捕，4月26日遣返。",
        "Tags were checked against the 2024 list: 14 matches, 3 new.",
        "Held together with one other woman and two minors for three weeks.",
        "one or two brokers, three to four checkpoints, five days on foot.",
        "Time line: 2019 crossing; 2020 arrest; 2021 release.",
        "Transferred on 2024-03-20. 15 others were sent back with her.",
        "Detainees by month: 2023-10 500, 2024-04 60 (estimates).",
        "Seen on 20.03.2024. 2 weeks later she was moved to Camp B.",
        "Arrested 2024. 3.15 10:00 at Yanji station; 2024.3. 15. 12 others were held with her.",
        "Seen 2024. 3. 15.18:00 near Tumen, moved on 2024. 3. 20. 2 days later.",
        "Cell 4 1.3.2024 14:30: the guards counted 12 women.",
    ];

    public static TheoryData<string> Narratives => new(Corpus);

    [Theory]
    [MemberData(nameof(Narratives))]
    public void Ordinary_narrative_is_accepted(string narrative) => Assert.Null(IdentifierGuard.Find(narrative));
}
