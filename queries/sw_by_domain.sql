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

sites as (
    select distinct project_id
    from sw_site
    where ($district is null or district_code = $district)
        and ($street is null or street_code = $street)
),

projects as (
    select
        p.id,
        coalesce(p.domain, '未填') as domain,
        p.social_workers
    from sw_project as p
    where ($district is null and $street is null)
        or p.id in (select project_id from sites)
),

served as (
    select
        project_id,
        person_times
    from sw_project_served
),

by_domain as (
    select
        p.domain,
        count(*) as projects,
        sum(p.social_workers) as social_workers,
        coalesce(sum(m.person_times), 0) as person_times
    from projects as p
    left join served as m on p.id = m.project_id
    group by p.domain
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
