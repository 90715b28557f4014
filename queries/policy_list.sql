-- Policies matching $search (substring of title, summary, issuer or number) and $policy_level, $topic, $year (all nullable), with the standards resting on each.
with
standards as (
    select
        basis as policy_code,
        count(*) as standard_count,
        string_agg(label_zh, '、' order by sort_order) as standards_zh,
        string_agg(label_en, '; ' order by sort_order) as standards_en
    from coverage_standard
    where basis is not null
    group by basis
),

matching as (
    select p.*
    from policy as p
    where (
        $search is null or $search = ''
        or contains(
            lower(concat_ws(' ', p.title, p.title_en, p.summary_zh, p.summary_en, p.issuer, p.doc_number)),
            lower($search)
        )
    )
    and ($policy_level is null or p.level = $policy_level)
    and ($topic is null or p.topic = $topic)
    and ($year is null or year(p.issued_on) = $year)
),

final as (
    select
        m.code,
        m.title,
        m.title_en,
        m.issuer,
        m.issued_on,
        year(m.issued_on) as issued_year,
        m.effective_on,
        m.doc_number,
        m.level,
        m.topic,
        m.summary_zh,
        m.summary_en,
        m.url,
        s.standards_zh,
        s.standards_en,
        coalesce(s.standard_count, 0) as standard_count,
        case m.level when 'national' then 1 when 'provincial' then 2 when 'city' then 3 else 4 end as level_order
    from matching as m
    left join standards as s on m.code = s.policy_code
)

select * from final
order by level_order asc, issued_on desc, code asc
