-- Projects in scope by service domain (the ten published domains always listed, then any other): projects, social workers, person-times; $district, $street nullable.
with
domains as (
    select
        v.sort_order,
        v.domain
    from (
        values
        (1, '人际交往与学习能力提升'),
        (2, '自我管理能力增进'),
        (3, '兴趣范围拓展'),
        (4, '亲子关系促进'),
        (5, '心理服务网络搭建'),
        (6, '安全知识增进与能力提升'),
        (7, '反家暴宣导'),
        (8, '校园欺凌预防'),
        (9, '性安全保护促进'),
        (10, '儿童友好型社区打造')
    ) as v (sort_order, domain)
),

projects as (
    select * from sw_projects_in($district, $street)
),

by_domain as (
    select
        coalesce(domain, '未填') as domain,
        count(*) as projects,
        sum(social_workers) as social_workers,
        coalesce(sum(person_times), 0) as person_times
    from projects
    group by coalesce(domain, '未填')
),

final as (
    select
        coalesce(d.domain, b.domain) as domain,
        coalesce(d.sort_order, 99) as sort_order,
        coalesce(b.projects, 0) as projects,
        coalesce(b.social_workers, 0)::bigint as social_workers,
        coalesce(b.person_times, 0)::bigint as person_times
    from domains as d
    full outer join by_domain as b on d.domain = b.domain
)

select * from final
order by sort_order, domain
